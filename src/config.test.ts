import { readSettings, SettingsError } from './config';

describe('change feed settings', () => {
  it('default to a week of retention and a 1,000-event subscriber buffer', () => {
    expect(readSettings({}).changes).toEqual({
      retentionHours: 168,
      pruneIntervalMs: 600_000,
      subscriberBufferEvents: 1000,
      feedPollMs: 2000,
      viewerRefreshMs: 60_000,
    });
  });

  it('read the environment, in hours and seconds', () => {
    const { changes } = readSettings({
      OUTBOX_RETENTION_HOURS: '24',
      OUTBOX_PRUNE_INTERVAL_SECONDS: '30',
      SUBSCRIPTION_BUFFER_EVENTS: '5000',
      CHANGE_FEED_POLL_SECONDS: '0.5',
      SUBSCRIPTION_VIEWER_REFRESH_SECONDS: '15',
    });
    expect(changes).toEqual({ retentionHours: 24, pruneIntervalMs: 30_000, subscriberBufferEvents: 5000, feedPollMs: 500, viewerRefreshMs: 15_000 });
  });

  it.each(['0', '-1', 'a week'])('refuses OUTBOX_RETENTION_HOURS=%j', (value) => {
    expect(() => readSettings({ OUTBOX_RETENTION_HOURS: value })).toThrow('OUTBOX_RETENTION_HOURS must be a positive number');
  });
});

describe('settings the gateway cannot start with', () => {
  it.each([
    [{ PORT: 'http' }, 'PORT must be a port number, 0 to 65535 (got "http")'],
    [{ EMBEDDED_PG_PORT: '70000' }, 'EMBEDDED_PG_PORT must be a port number'],
    [{ COST_BUDGET_PER_MINUTE: 'lots' }, 'COST_BUDGET_PER_MINUTE must be a positive number'],
    [{ DATABASE_POOL_SIZE: 'x' }, 'DATABASE_POOL_SIZE must be a positive number'],
    [{ BODY_LIMIT: 'ten megabytes' }, 'BODY_LIMIT must be a size such as 10mb or 500kb (got "ten megabytes")'],
    [{ JWT_ALGORITHMS: 'none' }, 'JWT_ALGORITHMS: none is not supported'],
  ])('%j is refused, naming the setting', (env, message) => {
    expect(() => readSettings(env)).toThrow(SettingsError);
    expect(() => readSettings(env)).toThrow(message);
  });
});
