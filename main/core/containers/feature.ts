// Containers (issue 4): per-host container lists from the latest observation.
// PLACEHOLDER being replaced by the containers-core work: answers nothing yet.
import type { CoreContext, CoreFeature } from '../coreContext.js';

export function containersFeature(_ctx: CoreContext): CoreFeature {
  return {
    name: 'containers',
    handlers: {
      'containers/list': () => null,
    },
  };
}
