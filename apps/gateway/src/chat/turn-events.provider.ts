import type { Provider } from '@nestjs/common';
import { TRANSPORT, type Transport } from '@dataflow/shared';

/** The turn event log (Redis streams, or memory in standalone mode), shared by the runner and the event streams. */
export const TURN_EVENTS = Symbol('TurnEvents');

export const turnEventsProvider: Provider = {
  provide: TURN_EVENTS,
  inject: [TRANSPORT],
  useFactory: (transport: Transport) => transport.createTurnEventLog(),
};
