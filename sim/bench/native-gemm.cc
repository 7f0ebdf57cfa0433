// Native baseline for `vta bench`: runs the same GEMM micro-ops as fsim (the loop nest of
// vta-reference §5.1, acc[dst] = wrap32(acc[dst] + inp[src]·wgt[wgt]ᵀ), out[dst] = low byte) as a
// plain C++ loop, compiled with g++ -O3 -march=native, and times itself.
//
// Usage: native-gemm JOBFILE MIN_SECONDS
// JOBFILE (little-endian int32 words):
//   batch blockIn blockOut inpDepth wgtDepth accDepth jobCount
//   per job: n iterOut iterIn dFo dFi sFo sFi wFo wFi, then n triples (dst src wgt)
// Output: one line `uops_per_s <float> uops <int> seconds <float> checksum <int>`.
// Indices are taken modulo the depths (all powers of two), as the kernels' masks do.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

struct Job {
  int32_t n, iterOut, iterIn, dFo, dFi, sFo, sFi, wFo, wFi;
  std::vector<int32_t> uops;  // dst, src, wgt triples
};

struct Sram {
  std::vector<int8_t> inp, wgt, out;
  std::vector<int32_t> acc;
  uint32_t inpMask, wgtMask, accMask;
};

// Shape known at compile time: the compiler unrolls and vectorizes the lane loops.
template <int B, int BI, int BO>
static void gemmFixed(Sram& m, const Job& j) {
  const int8_t* inp = m.inp.data();
  const int8_t* wgt = m.wgt.data();
  int32_t* acc = m.acc.data();
  int8_t* out = m.out.data();
  for (int o = 0; o < j.iterOut; o++) {
    for (int i = 0; i < j.iterIn; i++) {
      const uint32_t dOff = o * j.dFo + i * j.dFi, sOff = o * j.sFo + i * j.sFi, wOff = o * j.wFo + i * j.wFi;
      const int32_t* u = j.uops.data();
      for (int k = 0; k < j.n; k++, u += 3) {
        const uint32_t d = (u[0] + dOff) & m.accMask, s = (u[1] + sOff) & m.inpMask, w = (u[2] + wOff) & m.wgtMask;
        const int8_t* __restrict__ x = inp + (size_t)s * B * BI;
        const int8_t* __restrict__ W = wgt + (size_t)w * BO * BI;
        int32_t* __restrict__ a = acc + (size_t)d * B * BO;
        int8_t* __restrict__ y = out + (size_t)d * B * BO;
        for (int b = 0; b < B; b++) {
          int32_t sums[BO];
          for (int oo = 0; oo < BO; oo++) {
            int32_t sum = 0;
            for (int q = 0; q < BI; q++) sum += (int32_t)x[b * BI + q] * (int32_t)W[oo * BI + q];
            sums[oo] = sum;
          }
          for (int oo = 0; oo < BO; oo++) {
            const uint32_t v = (uint32_t)a[b * BO + oo] + (uint32_t)sums[oo];
            a[b * BO + oo] = (int32_t)v;
            y[b * BO + oo] = (int8_t)(v & 0xff);
          }
        }
      }
    }
  }
}

static void gemmGeneric(Sram& m, const Job& j, int B, int BI, int BO) {
  for (int o = 0; o < j.iterOut; o++) {
    for (int i = 0; i < j.iterIn; i++) {
      const uint32_t dOff = o * j.dFo + i * j.dFi, sOff = o * j.sFo + i * j.sFi, wOff = o * j.wFo + i * j.wFi;
      for (int k = 0; k < j.n; k++) {
        const int32_t* u = &j.uops[3 * k];
        const uint32_t d = (u[0] + dOff) & m.accMask, s = (u[1] + sOff) & m.inpMask, w = (u[2] + wOff) & m.wgtMask;
        for (int b = 0; b < B; b++) {
          for (int oo = 0; oo < BO; oo++) {
            int32_t sum = 0;
            for (int q = 0; q < BI; q++) sum += (int32_t)m.inp[(size_t)s * B * BI + b * BI + q] * (int32_t)m.wgt[(size_t)w * BO * BI + oo * BI + q];
            const size_t ai = (size_t)d * B * BO + b * BO + oo;
            const uint32_t v = (uint32_t)m.acc[ai] + (uint32_t)sum;
            m.acc[ai] = (int32_t)v;
            m.out[ai] = (int8_t)(v & 0xff);
          }
        }
      }
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s JOBFILE MIN_SECONDS\n", argv[0]);
    return 2;
  }
  FILE* f = std::fopen(argv[1], "rb");
  if (!f) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  std::vector<int32_t> words;
  int32_t w;
  while (std::fread(&w, 4, 1, f) == 1) words.push_back(w);
  std::fclose(f);
  size_t p = 0;
  auto next = [&]() -> int32_t {
    if (p >= words.size()) {
      std::fprintf(stderr, "job file truncated\n");
      std::exit(1);
    }
    return words[p++];
  };
  const int B = next(), BI = next(), BO = next();
  const int inpDepth = next(), wgtDepth = next(), accDepth = next(), jobCount = next();
  std::vector<Job> jobs(jobCount);
  uint64_t uopsPerPass = 0;
  for (auto& j : jobs) {
    j.n = next(); j.iterOut = next(); j.iterIn = next();
    j.dFo = next(); j.dFi = next(); j.sFo = next(); j.sFi = next(); j.wFo = next(); j.wFi = next();
    j.uops.resize(3 * (size_t)j.n);
    for (auto& v : j.uops) v = next();
    uopsPerPass += (uint64_t)j.n * j.iterOut * j.iterIn;
  }
  const double minSeconds = std::atof(argv[2]);

  Sram m;
  m.inp.resize((size_t)inpDepth * B * BI);
  m.wgt.resize((size_t)wgtDepth * BO * BI);
  m.acc.resize((size_t)accDepth * B * BO);
  m.out.resize((size_t)accDepth * B * BO);
  m.inpMask = inpDepth - 1; m.wgtMask = wgtDepth - 1; m.accMask = accDepth - 1;
  uint32_t s = 12345;
  auto rnd = [&]() { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; };
  for (auto& v : m.inp) v = (int8_t)rnd();
  for (auto& v : m.wgt) v = (int8_t)rnd();
  for (auto& v : m.acc) v = (int32_t)rnd();

  auto pass = [&]() {
    for (const auto& j : jobs) {
      if (B == 1 && BI == 16 && BO == 16) gemmFixed<1, 16, 16>(m, j);
      else if (B == 2 && BI == 8 && BO == 8) gemmFixed<2, 8, 8>(m, j);
      else if (B == 1 && BI == 32 && BO == 32) gemmFixed<1, 32, 32>(m, j);
      else if (B == 4 && BI == 16 && BO == 32) gemmFixed<4, 16, 32>(m, j);
      else gemmGeneric(m, j, B, BI, BO);
    }
  };
  pass();  // warm-up
  uint64_t uops = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double secs = 0;
  do {
    pass();
    uops += uopsPerPass;
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (secs < minSeconds);
  int64_t checksum = 0;
  for (size_t i = 0; i < m.acc.size(); i++) checksum = checksum * 31 + m.acc[i] + m.out[i];
  std::printf("uops_per_s %.6e uops %llu seconds %.6f checksum %lld\n", uops / secs, (unsigned long long)uops, secs,
              (long long)checksum);
  return 0;
}
