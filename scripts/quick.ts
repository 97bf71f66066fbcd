import { measureFusedCpu } from '../src/engine/cpu/measure';
for (const batch of [64, 512]) {
const c0 = process.cpuUsage();
const m = await measureFusedCpu({ batch, seconds: 3, threads: 1 });
const c = process.cpuUsage(c0);
console.log(batch, 'cpu samples/s', Math.round((m.steps + 3) * batch / ((c.user + c.system) / 1e6)), 'wall', m.samples_per_s, 'first', m.first_step_ms);
}
