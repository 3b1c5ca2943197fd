import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { GatewayEnv, TurnEventLog } from '@dataflow/shared';
import { ConversationsClient } from '../conversations/conversations.client.js';
import { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { UploadsClient } from '../uploads/uploads.client.js';
import { ChatController } from './chat.controller.js';
import { Models } from './models.js';
import { ToolGrantsController } from './tool-grants.controller.js';
import { TURN_EVENTS, turnEventsProvider } from './turn-events.provider.js';
import { TurnRunner } from './turn-runner.js';

/** Chat turns: models, the agent loop, and the turns' event streams. */
@Module({})
export class ChatModule implements OnApplicationShutdown {
  static forRoot(config: GatewayEnv): DynamicModule {
    return {
      module: ChatModule,
      controllers: [ChatController, ToolGrantsController],
      providers: [
        ConversationsClient,
        McpBrokerClient,
        UploadsClient,
        turnEventsProvider,
        { provide: Models, useValue: new Models(config) },
        {
          provide: TurnRunner,
          inject: [ConversationsClient, McpBrokerClient, TURN_EVENTS],
          useFactory: (conversations: ConversationsClient, broker: McpBrokerClient, events: TurnEventLog) =>
            new TurnRunner(conversations, broker, events, {
              maxSteps: config.CHAT_MAX_STEPS,
              toolResultChars: config.CHAT_TOOL_RESULT_CHARS,
              maxTools: config.CHAT_MAX_TOOLS,
              approvalTimeoutMs: config.CHAT_APPROVAL_TIMEOUT_MS,
            }),
        },
      ],
    };
  }

  constructor(
    private readonly runner: TurnRunner,
    @Inject(TURN_EVENTS) private readonly events: TurnEventLog,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runner.cancelAll();
    await this.events.close();
  }
}
