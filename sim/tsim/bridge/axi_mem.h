// An AXI4 slave in front of the DRAM byte buffer, evaluated once per rising clock edge.
//
// tick() gets the master's outputs as sampled at the edge, decides which handshakes happened using the
// slave outputs it presented during the cycle before the edge, updates its state, and returns the slave
// outputs for the next cycle (the shim registers them). Timing, with the edge of an AR handshake = t:
//  - the first R beat's handshake can happen at edge t + read_latency at the earliest;
//  - later beats follow one every read_interval edges while RREADY is high;
//  - bursts are answered in acceptance order (so in order per ID), up to max_reads outstanding;
//  - W beats are accepted for the oldest AW whose data is incomplete, one every write_interval edges;
//    B can be taken at edge (last W beat) + write_latency, in order;
//  - an access outside DRAM, a FIXED/WRAP burst, a beat wider than the bus or a wrong WLAST records a fault
//    and the clock loop stops at the end of that edge; nothing outside the buffer is ever touched;
//  - a write burst is checked whole before any of it lands: its beats are held until the last one and
//    committed together, so a burst that faults (even on its last beat) changes no DRAM byte.
#ifndef TSIM_AXI_MEM_H
#define TSIM_AXI_MEM_H

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <vector>
#include <string>

struct AxiMemIn {
  bool awvalid; uint32_t awaddr; uint8_t awid, awlen, awsize, awburst;
  bool wvalid; const uint8_t* wdata; const uint8_t* wstrb; bool wlast;
  bool bready;
  bool arvalid; uint32_t araddr; uint8_t arid, arlen, arsize, arburst;
  bool rready;
};

struct AxiMemFault {
  int kind = 0;  // 0 none, 1 outside DRAM, 2 protocol
  uint64_t addr = 0, len = 0, cycle = 0;
  bool write = false;
  uint8_t id = 0;  // the burst's AXI ID (the core's read client, or 0 for its one writer)
  std::string message;
};

struct AxiMemParams {
  uint64_t read_latency = 16, write_latency = 4, read_interval = 1, write_interval = 1;
  uint64_t max_reads = 8, max_writes = 8;
};

class AxiMem {
 public:
  static constexpr unsigned kMaxBusBytes = 64;

  AxiMem(uint8_t* dram, uint64_t dram_bytes, unsigned bus_bytes)
      : dram_(dram), dram_bytes_(dram_bytes), bus_bytes_(bus_bytes) {
    log_bus_ = 0;
    while ((1u << log_bus_) < bus_bytes_) log_bus_++;
    reset();
  }

  AxiMemParams params;
  AxiMemFault fault;
  // Totals since construction.
  uint64_t read_bursts = 0, read_beats = 0, write_bursts = 0, write_beats = 0, cross_4k = 0;
  // One past the highest DRAM byte the core has written since the host last asked (tsim_dram_take_written_end).
  uint64_t written_end = 0;

  // Slave outputs presented during the current cycle.
  bool awready = false, wready = false, bvalid = false, arready = false, rvalid = false, rlast = false;
  uint8_t bid = 0, rid = 0;
  alignas(8) uint8_t rdata[kMaxBusBytes] = {};

  void reset() {
    reads_.clear();
    writes_.clear();
    bresps_.clear();
    held_.clear();
    awready = wready = bvalid = arready = rvalid = rlast = false;
    bid = rid = 0;
    std::memset(rdata, 0, sizeof rdata);
    next_r_ = next_w_ = 0;
    fault = AxiMemFault();
  }

  size_t outstanding_reads() const { return reads_.size(); }
  size_t outstanding_writes() const { return writes_.size() + bresps_.size(); }

  /** One rising edge at cycle `now`; returns true if any handshake happened on any channel. */
  bool tick(uint64_t now, const AxiMemIn& in) {
    bool active = false;
    // --- handshakes at this edge, against the outputs presented before it ---
    if (arready && in.arvalid) {
      active = true;
      accept(now, false, in.araddr, in.arid, in.arlen, in.arsize, in.arburst);
    }
    if (rvalid && in.rready) {
      active = true;
      ReadBurst& r = reads_.front();
      read_beats++;
      if (++r.sent == r.beats) reads_.pop_front();
      next_r_ = now + params.read_interval;
      rvalid = false;
    }
    if (awready && in.awvalid) {
      active = true;
      accept(now, true, in.awaddr, in.awid, in.awlen, in.awsize, in.awburst);
    }
    if (wready && in.wvalid) {
      active = true;
      write_beat(now, in);
      next_w_ = now + params.write_interval;
    }
    if (bvalid && in.bready) {
      active = true;
      bresps_.pop_front();
      bvalid = false;
    }
    // --- outputs for the next edge (now + 1) ---
    const uint64_t next = now + 1;
    arready = fault.kind == 0 && reads_.size() < params.max_reads;
    awready = fault.kind == 0 && outstanding_writes() < params.max_writes;
    wready = fault.kind == 0 && !writes_.empty() && next >= next_w_;
    if (!rvalid && !reads_.empty() && fault.kind == 0) {
      const ReadBurst& r = reads_.front();
      if (next >= r.ready_at && next >= next_r_) {
        // The whole bus-aligned word holding the beat; the master picks its lanes.
        uint64_t a = beat_addr(r.addr, r.size, r.sent) & ~uint64_t(bus_bytes_ - 1);
        std::memcpy(rdata, dram_ + a, bus_bytes_);
        rvalid = true;
        rid = r.id;
        rlast = r.sent + 1 == r.beats;
      }
    }
    if (!bvalid && !bresps_.empty() && next >= bresps_.front().ready_at) {
      bvalid = true;
      bid = bresps_.front().id;
    }
    return active;
  }

 private:
  struct ReadBurst { uint32_t addr, beats, sent; uint8_t id, size; uint64_t ready_at; };
  struct WriteBurst { uint32_t addr, beats, recv; uint8_t id, size; };
  // The beats of the write burst being received: DRAM offset, data and byte strobes of each.
  struct HeldBeat { uint64_t at; uint8_t data[kMaxBusBytes]; uint8_t strb[kMaxBusBytes / 8]; };
  std::vector<HeldBeat> held_;
  struct BResp { uint8_t id; uint64_t ready_at; };

  static uint64_t beat_addr(uint32_t addr, uint8_t size, uint32_t i) {
    if (i == 0) return addr;
    uint64_t step = uint64_t(1) << size;
    return (uint64_t(addr) & ~(step - 1)) + uint64_t(i) * step;
  }

  void set_fault(uint64_t now, int kind, bool write, uint64_t addr, uint64_t len, const std::string& msg, uint8_t id = 0) {
    if (fault.kind) return;
    fault.kind = kind;
    fault.id = id;
    fault.write = write;
    fault.addr = addr;
    fault.len = len;
    fault.cycle = now;
    fault.message = msg;
  }

  void accept(uint64_t now, bool write, uint32_t addr, uint8_t id, uint8_t len, uint8_t size, uint8_t burst) {
    const char* what = write ? "write" : "read";
    const uint32_t beats = uint32_t(len) + 1;
    const uint64_t start = addr;
    const uint64_t step = uint64_t(1) << size;
    const uint64_t end = (start & ~(step - 1)) + beats * step;  // the end of the last beat
    char buf[256];
    if (burst != 1) {
      std::snprintf(buf, sizeof buf, "AXI %s burst at 0x%08x has burst type %u; only INCR (1) is supported", what, addr, burst);
      set_fault(now, 2, write, start, end - start, buf, id);
      return;
    }
    if (size > log_bus_) {
      std::snprintf(buf, sizeof buf, "AXI %s burst at 0x%08x has size %u (%u bytes per beat), wider than the %u-byte bus", what, addr, size, 1u << size, bus_bytes_);
      set_fault(now, 2, write, start, end - start, buf, id);
      return;
    }
    if (end > dram_bytes_) {
      std::snprintf(buf, sizeof buf, "AXI %s of %llu bytes at 0x%08x (%u beats of %u bytes, ID %u) reaches past the end of DRAM (%llu bytes)",
                    what, (unsigned long long)(end - start), addr, beats, 1u << size, id, (unsigned long long)dram_bytes_);
      set_fault(now, 1, write, start, end - start, buf, id);
      return;
    }
    if ((start >> 12) != ((end - 1) >> 12)) cross_4k++;
    if (write) {
      write_bursts++;
      writes_.push_back({addr, beats, 0, id, size});
    } else {
      read_bursts++;
      reads_.push_back({addr, beats, 0, id, size, now + (params.read_latency ? params.read_latency : 1)});
    }
  }

  void write_beat(uint64_t now, const AxiMemIn& in) {
    WriteBurst& w = writes_.front();
    HeldBeat h;
    h.at = beat_addr(w.addr, w.size, w.recv) & ~uint64_t(bus_bytes_ - 1);
    std::memcpy(h.data, in.wdata, bus_bytes_);
    std::memcpy(h.strb, in.wstrb, (bus_bytes_ + 7) / 8);
    held_.push_back(h);
    write_beats++;
    const bool last = w.recv + 1 == w.beats;
    if (in.wlast != last) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "AXI write burst at 0x%08x (ID %u): WLAST was %u on beat %u of %u", w.addr, w.id, in.wlast ? 1 : 0, w.recv + 1, w.beats);
      set_fault(now, 2, true, w.addr, uint64_t(w.beats) << w.size, buf, w.id);
    }
    if (++w.recv == w.beats) {
      if (fault.kind == 0) commit();
      held_.clear();
      bresps_.push_back({w.id, now + (params.write_latency ? params.write_latency : 1)});
      writes_.pop_front();
    }
  }

  // Writes the held beats of a complete, fault-free burst to DRAM (strobed bytes only).
  void commit() {
    for (const HeldBeat& h : held_) {
      uint8_t* dst = dram_ + h.at;
      if (h.at + bus_bytes_ > written_end) written_end = h.at + bus_bytes_;
      for (unsigned byte = 0; byte < bus_bytes_; byte += 8) {
        uint8_t s = h.strb[byte >> 3];
        if (s == 0xff) {
          std::memcpy(dst + byte, h.data + byte, 8);
        } else if (s) {
          for (unsigned b = 0; b < 8 && byte + b < bus_bytes_; b++)
            if (s & (1u << b)) dst[byte + b] = h.data[byte + b];
        }
      }
    }
  }

  uint8_t* dram_;
  uint64_t dram_bytes_;
  unsigned bus_bytes_, log_bus_;
  std::deque<ReadBurst> reads_;
  std::deque<WriteBurst> writes_;
  std::deque<BResp> bresps_;
  uint64_t next_r_ = 0, next_w_ = 0;
};

#endif
