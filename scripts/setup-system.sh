#!/usr/bin/env bash
# Installs the system tools npm cannot provide: Verilator, a C++ compiler and make; tclsh (Debian `tcl`,
# which runs the generated Vivado/Quartus scripts against recording stubs in the tests); Slurm and munge
# (the Slurm executor and its test run a single-node cluster on loopback).
# As root it installs them with apt-get; otherwise it prints the exact command and fails.
set -euo pipefail
# --soft (used by npm's postinstall): never fail, only say what is missing when not root.
soft=0
[ "${1:-}" = "--soft" ] && soft=1

# A production install (npm ci --omit=dev, as on a board) runs the stack only: no development tools, no apt-get.
if [ $soft -eq 1 ] && { printf '%s\n' "${npm_config_omit:-}" | tr ', ' '\n\n' | grep -qx dev || [ "${NODE_ENV:-}" = production ]; }; then
  echo "setup: production install (--omit=dev): Verilator, compilers and Slurm are not needed here; nothing installed"
  exit 0
fi

missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v tclsh >/dev/null 2>&1 || missing+=(tcl)
# Debian packages of the Slurm executor: the daemons, the clients (sbatch, squeue, scancel) and munge.
command -v slurmctld >/dev/null 2>&1 || [ -x /usr/sbin/slurmctld ] || missing+=(slurmctld)
command -v slurmd >/dev/null 2>&1 || [ -x /usr/sbin/slurmd ] || missing+=(slurmd)
command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
command -v munged >/dev/null 2>&1 || [ -x /usr/sbin/munged ] || missing+=(munge)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: verilator $(verilator --version | awk '{print $2}'), g++ $(g++ -dumpfullversion), make, tclsh, slurm, munge present"
  exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing ${missing[*]}; install them with:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  [ $soft -eq 1 ] && exit 0
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${missing[*]} and no apt-get here; install them with your system's package manager" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: installed ${missing[*]}"
