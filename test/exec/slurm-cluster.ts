// A real single-node Slurm cluster on loopback for tests: its own munged, slurmctld and slurmd, with a
// minimal slurm.conf (no systemd, no cgroups) and every state, spool, log and socket file in a temp dir.
// Only the processes started here are stopped, by their pids.

import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface SlurmCluster {
  dir: string;
  partition: string;
  /** Environment for Slurm clients (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const SBIN = ['/usr/sbin', '/usr/bin'];

export function findDaemon(name: string): string | null {
  for (const d of SBIN) if (existsSync(join(d, name))) return join(d, name);
  return null;
}

function logTail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n') : '(no log)';
}

async function waitFor(what: string, timeoutMs: number, probe: () => boolean, logs: string[]): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`slurm test cluster: ${what} not ready after ${timeoutMs / 1000} s\n${logs.map((l) => `${l}:\n${logTail(l)}`).join('\n')}`);
}

export async function startSlurmCluster(): Promise<SlurmCluster> {
  for (const d of ['munged', 'slurmctld', 'slurmd']) {
    if (!findDaemon(d))
      throw new Error(`slurm test cluster: ${d} is not installed; run: bash scripts/setup-system.sh (apt-get install slurmctld slurmd slurm-client munge)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'vta-slurm-'));
  for (const sub of ['state', 'spool', 'log', 'munge']) mkdirSync(join(dir, sub), { mode: 0o700 });
  const procs: ChildProcess[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) {
      if (p.exitCode === null && p.pid) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // munge: a fresh key and a private socket
    const key = join(dir, 'munge', 'munge.key');
    writeFileSync(key, execFileSync('head', ['-c', '1024', '/dev/urandom']), { mode: 0o400 });
    const socket = join(dir, 'munge', 'munge.sock');
    const mungeLog = join(dir, 'log', 'munged.log');
    procs.push(
      spawn(
        findDaemon('munged')!,
        [
          '--foreground',
          '--force',
          `--key-file=${key}`,
          `--socket=${socket}`,
          `--pid-file=${join(dir, 'munge', 'munged.pid')}`,
          `--log-file=${mungeLog}`,
          `--seed-file=${join(dir, 'munge', 'seed')}`,
        ],
        { stdio: 'ignore' },
      ),
    );
    await waitFor('munged', 10000, () => existsSync(socket), [mungeLog]);

    // ports from the process id, so parallel test runs on one machine do not collide
    const base = 20000 + ((process.pid * 7) % 20000);
    const cpus = 2;
    const conf = join(dir, 'slurm.conf');
    writeFileSync(
      conf,
      [
        'ClusterName=vtatest',
        'SlurmctldHost=localhost(127.0.0.1)',
        `SlurmctldPort=${base}`,
        `SlurmdPort=${base + 1}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'MpiDefault=none',
        'SwitchType=switch/none',
        'SchedulerType=sched/builtin',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'ReturnToService=2',
        'SlurmctldTimeout=30',
        'SlurmdTimeout=30',
        'MinJobAge=60',
        'SlurmctldDebug=info',
        'SlurmdDebug=info',
        `NodeName=vtanode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=1000 State=UNKNOWN`,
        'PartitionName=vtatest Nodes=vtanode Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    procs.push(spawn(findDaemon('slurmctld')!, ['-D', '-i', '-f', conf], { env, stdio: 'ignore' }));
    procs.push(spawn(findDaemon('slurmd')!, ['-D', '-N', 'vtanode', '-f', conf], { env, stdio: 'ignore' }));
    const logs = [join(dir, 'log', 'slurmctld.log'), join(dir, 'log', 'slurmd.log')];
    await waitFor(
      'the node',
      30000,
      () => {
        try {
          const state = execFileSync('sinfo', ['-h', '-N', '-o', '%T'], { env, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
          return state === 'idle';
        } catch {
          return false;
        }
      },
      logs,
    );
    return { dir, partition: 'vtatest', env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
