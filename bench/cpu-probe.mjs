// Preloaded (`node --import ./bench/cpu-probe.mjs bin/swarm.js …`) so the real CLI reports its own
// CPU time and peak RSS at exit, without any hook in src/.
import { writeFileSync } from "node:fs";

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ userMs: cpu.user / 1000, systemMs: cpu.system / 1000, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  });
}
