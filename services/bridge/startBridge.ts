import { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import type { Runtime } from '../runtime/createRuntime.ts';
import { BridgeSupervisor } from './bridgeSupervisor.ts';

export async function startBridge(rt: Runtime): Promise<BridgeSupervisor> {
  const marks = new DeliveredMarks(rt.redis, rt.config.dedupeTtlSeconds, rt.log);
  const supervisor = new BridgeSupervisor({
    kafka: rt.kafka,
    marks,
    config: rt.config,
    log: rt.log,
    pool: rt.pool,
    admin: rt.admin,
  });
  await supervisor.start();
  rt.log.info('bridge started', { workers: supervisor.workerCount });
  return supervisor;
}
