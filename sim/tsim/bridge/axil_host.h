// The host CPU as an AXI4-Lite master, evaluated once per rising clock edge (like AxiMem): a queue of
// register reads and writes, one transaction at a time. A write presents AW and W together and drops each
// when its handshake happens, then takes B; a read presents AR, then takes R.
#ifndef TSIM_AXIL_HOST_H
#define TSIM_AXIL_HOST_H

#include <cstdint>
#include <deque>

struct AxilHostIn {
  bool awready, wready, bvalid; uint8_t bresp;
  bool arready, rvalid; uint32_t rdata; uint8_t rresp;
};

class AxilHost {
 public:
  // Master outputs presented during the current cycle.
  bool awvalid = false, wvalid = false, bready = false, arvalid = false, rready = false;
  uint16_t awaddr = 0, araddr = 0;
  uint32_t wdata = 0;
  uint8_t wstrb = 0xf;

  /** Transactions completed since reset, the value of the last read, responses that were not OKAY. */
  uint64_t completed = 0;
  uint32_t last_read = 0;
  uint64_t resp_errors = 0;

  void reset() {
    queue_.clear();
    state_ = kIdle;
    awvalid = wvalid = bready = arvalid = rready = false;
    awaddr = araddr = 0;
    wdata = 0;
    completed = 0;
  }

  /** Queues a transaction; returns the value `completed` will reach when it is done. */
  uint64_t push(bool write, uint16_t addr, uint32_t value) {
    queue_.push_back({write, addr, value});
    return completed + queue_.size() + (state_ == kIdle ? 0 : 1);
  }

  bool idle() const { return state_ == kIdle && queue_.empty(); }

  void tick(const AxilHostIn& in) {
    switch (state_) {
      case kWrite:
        if (awvalid && in.awready) awvalid = false;
        if (wvalid && in.wready) wvalid = false;
        if (!awvalid && !wvalid) {
          state_ = kResp;
          bready = true;
        }
        break;
      case kResp:
        if (bready && in.bvalid) {
          if (in.bresp) resp_errors++;
          bready = false;
          finish();
        }
        break;
      case kRead:
        if (arvalid && in.arready) {
          arvalid = false;
          rready = true;
          state_ = kData;
        }
        break;
      case kData:
        if (rready && in.rvalid) {
          if (in.rresp) resp_errors++;
          last_read = in.rdata;
          rready = false;
          finish();
        }
        break;
      case kIdle:
        break;
    }
    if (state_ == kIdle && !queue_.empty()) {
      const Req r = queue_.front();
      queue_.pop_front();
      if (r.write) {
        awvalid = wvalid = true;
        awaddr = r.addr;
        wdata = r.value;
        wstrb = 0xf;
        state_ = kWrite;
      } else {
        arvalid = true;
        araddr = r.addr;
        state_ = kRead;
      }
    }
  }

 private:
  enum State { kIdle, kWrite, kResp, kRead, kData };
  struct Req { bool write; uint16_t addr; uint32_t value; };

  void finish() {
    state_ = kIdle;
    completed++;
  }

  std::deque<Req> queue_;
  State state_ = kIdle;
};

#endif
