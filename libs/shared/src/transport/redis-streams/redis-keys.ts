/**
 * The Redis keys of the transport. Changing one strands the messages under the old name:
 * do not change them without a migration plan.
 */
export const redisKeys = {
  /** The stream of requests and events for one service; its consumer group is named after the service. */
  requests: (prefix: string, service: string) => `${prefix}:rpc:${service}`,
  /** A sorted set of the service's live consumers, scored by their last heartbeat (Redis time, ms). */
  presence: (prefix: string, service: string) => `${prefix}:presence:${service}`,
  /** The pub/sub channel on which one client receives its replies. */
  replies: (prefix: string, clientId: string) => `${prefix}:reply:${clientId}`,
  /** The pub/sub channel on which callers tell every replica of a service that they gave up on a request. */
  cancellations: (prefix: string, service: string) => `${prefix}:cancel:${service}`,
};

export interface RedisStreamsOptions {
  url: string;
  keyPrefix: string;
  service: string;
}
