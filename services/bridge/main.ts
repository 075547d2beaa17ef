import { createRuntime } from '../runtime/createRuntime.ts';
import { onShutdown } from '../runtime/onShutdown.ts';
import { startBridge } from './startBridge.ts';

const rt = await createRuntime('bridge');
const bridge = await startBridge(rt);
onShutdown(rt.log, async () => {
  await bridge.stop();
  await rt.close();
});
