// Runs a .tflite model through TFLite Micro's reference kernels and records what it computes: the output
// tensors for every input of an .npy file, every non-constant tensor for the first K inputs, and a JSON
// manifest of the graph (tensor indices, names, shapes, quantization, the operator producing each).
//
//   tflm_runner MODEL.tflite INPUTS.npy OUT_DIR [K]
//
// INPUTS.npy: int8, first axis = one input, the rest the model input's own shape (NHWC). Writes
// OUT_DIR/outputs.npy (one row per input; outputs_<k>.npy when the model has several outputs),
// OUT_DIR/tensors/t<index>.npy (K rows of that tensor; a batch axis of 1 is dropped in both) and
// OUT_DIR/manifest.json (shapes there are the tensors' own).
// Built against the reference kernels only (no OPTIMIZED_KERNEL_DIR): see scripts/tflm/README.md.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tensorflow/lite/micro/memory_helpers.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

#ifndef TFLM_COMMIT
#define TFLM_COMMIT "unknown"
#endif

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "tflm_runner: %s\n", what.c_str());
  std::exit(1);
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Fail(path + ": cannot open");
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Npy {
  std::string descr;
  std::vector<int> shape;
  std::vector<uint8_t> data;
};

uint8_t* Aligned16(uint8_t* p) { return p + ((16 - reinterpret_cast<uintptr_t>(p) % 16) % 16); }

// The fields of a .npy header this tool reads and writes: 'descr' and 'shape' (C order only).
Npy ReadNpy(const std::string& path) {
  std::vector<uint8_t> b = ReadFile(path);
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) Fail(path + ": not a .npy file");
  const size_t header_len = b[6] == 1 ? (b[8] | (b[9] << 8)) : (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24));
  const size_t start = (b[6] == 1 ? 10 : 12) + header_len;
  if (start > b.size()) Fail(path + ": truncated header");
  const std::string h(b.begin() + (b[6] == 1 ? 10 : 12), b.begin() + start);
  if (h.find("'fortran_order': False") == std::string::npos) Fail(path + ": only C-order arrays are supported");
  Npy n;
  const size_t d = h.find("'descr':");
  const size_t q1 = h.find('\'', d + 8), q2 = h.find('\'', q1 + 1);
  n.descr = h.substr(q1 + 1, q2 - q1 - 1);
  const size_t s = h.find('(', h.find("'shape':")), e = h.find(')', s);
  std::stringstream dims(h.substr(s + 1, e - s - 1));
  std::string tok;
  while (std::getline(dims, tok, ',')) {
    if (tok.find_first_not_of(' ') != std::string::npos) n.shape.push_back(std::atoi(tok.c_str()));
  }
  n.data.assign(b.begin() + start, b.end());
  return n;
}

void WriteNpy(const std::string& path, const std::string& descr, const std::vector<int>& shape, const uint8_t* data, size_t bytes) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); i++) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) Fail(path + ": cannot write");
  const uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(h.size() & 0xff), static_cast<uint8_t>(h.size() >> 8)};
  f.write(reinterpret_cast<const char*>(pre), 10);
  f.write(h.data(), h.size());
  f.write(reinterpret_cast<const char*>(data), bytes);
}

const char* NpyDescr(TfLiteType t) {
  switch (t) {
    case kTfLiteInt8:
      return "|i1";
    case kTfLiteUInt8:
      return "|u1";
    case kTfLiteInt16:
      return "<i2";
    case kTfLiteInt32:
      return "<i4";
    case kTfLiteFloat32:
      return "<f4";
    default:
      return nullptr;
  }
}

std::string JsonString(const char* s) {
  std::string out = "\"";
  for (const char* p = s ? s : ""; *p; p++) {
    if (*p == '"' || *p == '\\') out += '\\';
    if (static_cast<unsigned char>(*p) < 0x20) continue;
    out += *p;
  }
  return out + "\"";
}

template <typename T>
std::string JsonArray(const T* v, int n) {
  std::ostringstream o;
  o.precision(17);
  o << "[";
  for (int i = 0; i < n; i++) o << (i ? ", " : "") << v[i];
  return o.str() + "]";
}

// The op resolver: every builtin these int8 models (and others of their families) use, reference kernels.
using Resolver = tflite::MicroMutableOpResolver<24>;
void AddOps(Resolver& r) {
  r.AddConv2D();
  r.AddDepthwiseConv2D();
  r.AddFullyConnected();
  r.AddAdd();
  r.AddSub();
  r.AddMul();
  r.AddAveragePool2D();
  r.AddMaxPool2D();
  r.AddMean();
  r.AddConcatenation();
  r.AddReshape();
  r.AddSqueeze();
  r.AddPad();
  r.AddSoftmax();
  r.AddLogistic();
  r.AddRelu();
  r.AddRelu6();
  r.AddQuantize();
  r.AddDequantize();
  r.AddTranspose();
  r.AddHardSwish();
  r.AddTanh();
  r.AddLeakyRelu();
  r.AddStridedSlice();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) Fail("usage: tflm_runner MODEL.tflite INPUTS.npy OUT_DIR [K intermediates]");
  const std::string out_dir = argv[3];
  const int keep = argc == 5 ? std::atoi(argv[4]) : 2;

  std::vector<uint8_t> file = ReadFile(argv[1]);
  // flatbuffers want the model 16-byte aligned, the arena too
  std::vector<uint8_t> model_store(file.size() + 16);
  uint8_t* model_bytes = Aligned16(model_store.data());
  std::memcpy(model_bytes, file.data(), file.size());
  const tflite::Model* model = tflite::GetModel(model_bytes);
  if (model->subgraphs()->size() != 1) Fail(std::string(argv[1]) + ": only single-subgraph models are supported");
  const tflite::SubGraph* sg = model->subgraphs()->Get(0);

  Resolver resolver;
  AddOps(resolver);
  const size_t arena_size = 64 << 20;
  std::vector<uint8_t> arena_store(arena_size + 16);
  // preserve_all_tensors: the linear planner gives every tensor its own memory, so each stays readable
  tflite::MicroInterpreter interp(model, resolver, Aligned16(arena_store.data()), arena_size, nullptr, nullptr, true);
  if (interp.AllocateTensors() != kTfLiteOk) Fail(std::string(argv[1]) + ": AllocateTensors failed");
  if (interp.inputs_size() != 1) Fail(std::string(argv[1]) + ": only single-input models are supported");

  TfLiteTensor* in = interp.input(0);
  if (in->type != kTfLiteInt8) Fail("the model input is not int8");
  Npy inputs = ReadNpy(argv[2]);
  if (inputs.descr != "|i1" && inputs.descr != "<i1") Fail(std::string(argv[2]) + ": inputs must be int8");
  const int count = inputs.shape.empty() ? 0 : inputs.shape[0];
  if (count < 1 || inputs.data.size() != count * in->bytes)
    Fail(std::string(argv[2]) + ": " + std::to_string(inputs.data.size()) + " bytes are not N inputs of " + std::to_string(in->bytes) + " bytes");

  // constant tensors hold data in the flatbuffer; the rest (the input and every operator's result) are recorded
  const int tensors = sg->tensors()->size();
  std::vector<int> recorded;
  for (int t = 0; t < tensors; t++) {
    const tflite::Tensor* ft = sg->tensors()->Get(t);
    const tflite::Buffer* buf = model->buffers()->Get(ft->buffer());
    const bool constant = buf && buf->data() && buf->data()->size() > 0;
    if (!constant) recorded.push_back(t);
  }

  std::vector<std::vector<uint8_t>> outputs(interp.outputs_size());
  std::vector<std::vector<uint8_t>> kept(tensors);
  for (int i = 0; i < count; i++) {
    std::memcpy(in->data.raw, inputs.data.data() + i * in->bytes, in->bytes);
    if (interp.Invoke() != kTfLiteOk) Fail("Invoke failed on input " + std::to_string(i));
    for (size_t k = 0; k < interp.outputs_size(); k++) {
      const TfLiteTensor* o = interp.output(k);
      outputs[k].insert(outputs[k].end(), o->data.raw, o->data.raw + o->bytes);
    }
    if (i >= keep) continue;
    for (int t : recorded) {
      const TfLiteEvalTensor* e = interp.GetTensor(t);
      size_t bytes = 0;
      if (e == nullptr || e->data.raw == nullptr || tflite::TfLiteEvalTensorByteLength(e, &bytes) != kTfLiteOk) Fail("tensor " + std::to_string(t) + " is not readable");
      const uint8_t* p = static_cast<const uint8_t*>(e->data.data);
      kept[t].insert(kept[t].end(), p, p + bytes);
    }
  }

  // one row per input, the tensor's batch axis of 1 dropped: the layout of inputs.npy and of vta infer's
  // --save-outputs
  auto shape_of = [](const TfLiteIntArray* dims, int rows) {
    std::vector<int> s = {rows};
    for (int d = dims->size > 1 && dims->data[0] == 1 ? 1 : 0; d < dims->size; d++) s.push_back(dims->data[d]);
    return s;
  };
  std::ostringstream m;
  m << "{\n  \"engine\": \"TFLite Micro reference kernels\",\n  \"tflmCommit\": " << JsonString(TFLM_COMMIT) << ",\n";
  m << "  \"inputs\": " << count << ",\n  \"intermediateInputs\": " << std::min(keep, count) << ",\n  \"outputs\": [";
  for (size_t k = 0; k < interp.outputs_size(); k++) {
    const TfLiteTensor* o = interp.output(k);
    const char* descr = NpyDescr(o->type);
    if (!descr) Fail("output " + std::to_string(k) + " has an unsupported type");
    const std::string name = interp.outputs_size() == 1 ? "outputs.npy" : "outputs_" + std::to_string(k) + ".npy";
    WriteNpy(out_dir + "/" + name, descr, shape_of(o->dims, count), outputs[k].data(), outputs[k].size());
    m << (k ? ", " : "") << "{\"tensor\": " << sg->outputs()->Get(k) << ", \"file\": " << JsonString(name.c_str()) << "}";
  }
  m << "],\n  \"operators\": [\n";
  std::vector<int> producer(tensors, -1);
  for (size_t o = 0; o < sg->operators()->size(); o++) {
    const tflite::Operator* op = sg->operators()->Get(o);
    const tflite::OperatorCode* code = model->operator_codes()->Get(op->opcode_index());
    const int builtin = std::max<int>(code->builtin_code(), code->deprecated_builtin_code());
    m << "    {\"index\": " << o << ", \"op\": " << JsonString(tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(builtin)))
      << ", \"inputs\": " << JsonArray(op->inputs()->data(), op->inputs()->size()) << ", \"outputs\": " << JsonArray(op->outputs()->data(), op->outputs()->size())
      << "}" << (o + 1 < sg->operators()->size() ? "," : "") << "\n";
    for (size_t k = 0; k < op->outputs()->size(); k++) producer[op->outputs()->Get(k)] = o;
  }
  m << "  ],\n  \"tensors\": [\n";
  for (size_t r = 0; r < recorded.size(); r++) {
    const int t = recorded[r];
    const tflite::Tensor* ft = sg->tensors()->Get(t);
    const TfLiteEvalTensor* e = interp.GetTensor(t);
    const char* descr = NpyDescr(e->type);
    if (!descr) Fail("tensor " + std::to_string(t) + " has an unsupported type");
    const std::string file = "tensors/t" + std::to_string(t) + ".npy";
    const int rows = std::min(keep, count);
    WriteNpy(out_dir + "/" + file, descr, shape_of(e->dims, rows), kept[t].data(), kept[t].size());
    m << "    {\"index\": " << t << ", \"name\": " << JsonString(ft->name() ? ft->name()->c_str() : "") << ", \"dtype\": " << JsonString(descr)
      << ", \"shape\": " << JsonArray(e->dims->data, e->dims->size) << ", \"producer\": " << producer[t];
    if (ft->quantization() && ft->quantization()->scale() && ft->quantization()->scale()->size() > 0) {
      m << ", \"scale\": " << JsonArray(ft->quantization()->scale()->data(), ft->quantization()->scale()->size())
        << ", \"zeroPoint\": " << JsonArray(ft->quantization()->zero_point()->data(), ft->quantization()->zero_point()->size());
    }
    m << ", \"file\": " << JsonString(file.c_str()) << "}" << (r + 1 < recorded.size() ? "," : "") << "\n";
  }
  m << "  ]\n}\n";
  std::ofstream(out_dir + "/manifest.json") << m.str();
  std::printf("%s: %d inputs, %zu tensors recorded for %d of them\n", argv[1], count, recorded.size(), std::min(keep, count));
  return 0;
}
