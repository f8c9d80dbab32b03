/**
 * Every instrumentation of @opentelemetry/auto-instrumentations-node, by the short name
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS use, with the
 * modules it patches. The catalogue's own index loads all ~40 packages at once (about
 * 200 ms of start-up); here an instrumentation package is loaded only when the application
 * loads one of the modules it patches (a package, or one of Node's own such as `net`), or at
 * start when it patches no module (runtime-node, undici).
 * test/instrumentations/catalogue.test.mjs checks this table against the installed
 * catalogue: the same names, classes and modules.
 */
export interface CatalogueEntry {
  /** Short name: the package name after "@opentelemetry/instrumentation-". */
  readonly name: string;
  /** Exported class of the package. */
  readonly className: string;
  /** Packages it patches. */
  readonly modules: readonly string[];
  /** Node's own modules it patches (`net`, `http`, …), by their name without "node:". */
  readonly builtins?: readonly string[];
  /** Left out unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names it (reason in docs/CONFIGURATION.md). */
  readonly offByDefault?: boolean;
  /** Only where this holds (aws-lambda: inside AWS Lambda). */
  readonly onlyIn?: 'lambda';
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  { name: 'amqplib', className: 'AmqplibInstrumentation', modules: ['amqplib'] },
  { name: 'aws-lambda', className: 'AwsLambdaInstrumentation', modules: [], onlyIn: 'lambda' },
  { name: 'aws-sdk', className: 'AwsInstrumentation', modules: ['@aws-sdk/middleware-stack', '@smithy/middleware-stack', '@smithy/core', '@aws-sdk/smithy-client', '@smithy/smithy-client'] },
  { name: 'bunyan', className: 'BunyanInstrumentation', modules: ['bunyan'] },
  { name: 'cassandra-driver', className: 'CassandraDriverInstrumentation', modules: ['cassandra-driver'] },
  { name: 'connect', className: 'ConnectInstrumentation', modules: ['connect'] },
  { name: 'cucumber', className: 'CucumberInstrumentation', modules: ['@cucumber/cucumber'] },
  { name: 'dataloader', className: 'DataloaderInstrumentation', modules: ['dataloader'] },
  { name: 'dns', className: 'DnsInstrumentation', modules: [], builtins: ['dns', 'dns/promises'] },
  // Routes come from Express itself (req.route, req.baseUrl); the instrumentation would add a
  // span per middleware and route handler to every request.
  { name: 'express', className: 'ExpressInstrumentation', modules: ['express'], offByDefault: true },
  { name: 'fs', className: 'FsInstrumentation', modules: [], builtins: ['fs', 'fs/promises'], offByDefault: true },
  { name: 'generic-pool', className: 'GenericPoolInstrumentation', modules: ['generic-pool'] },
  { name: 'graphql', className: 'GraphQLInstrumentation', modules: ['graphql'] },
  { name: 'grpc', className: 'GrpcInstrumentation', modules: ['@grpc/grpc-js'] },
  { name: 'hapi', className: 'HapiInstrumentation', modules: ['@hapi/hapi'] },
  { name: 'host-metrics', className: 'HostMetricsInstrumentation', modules: [], offByDefault: true },
  { name: 'http', className: 'HttpInstrumentation', modules: [], builtins: ['http', 'https'] },
  { name: 'ioredis', className: 'IORedisInstrumentation', modules: ['ioredis'] },
  { name: 'kafkajs', className: 'KafkaJsInstrumentation', modules: ['kafkajs'] },
  { name: 'knex', className: 'KnexInstrumentation', modules: ['knex'] },
  { name: 'koa', className: 'KoaInstrumentation', modules: ['koa'] },
  { name: 'lru-memoizer', className: 'LruMemoizerInstrumentation', modules: ['lru-memoizer'] },
  { name: 'memcached', className: 'MemcachedInstrumentation', modules: ['memcached'] },
  { name: 'mongodb', className: 'MongoDBInstrumentation', modules: ['mongodb'] },
  { name: 'mongoose', className: 'MongooseInstrumentation', modules: ['mongoose'] },
  { name: 'mysql2', className: 'MySQL2Instrumentation', modules: ['mysql2'] },
  { name: 'mysql', className: 'MySQLInstrumentation', modules: ['mysql'] },
  { name: 'nestjs-core', className: 'NestInstrumentation', modules: ['@nestjs/core'] },
  { name: 'net', className: 'NetInstrumentation', modules: [], builtins: ['net'] },
  { name: 'openai', className: 'OpenAIInstrumentation', modules: ['openai'] },
  { name: 'oracledb', className: 'OracleInstrumentation', modules: ['oracledb'] },
  { name: 'pg', className: 'PgInstrumentation', modules: ['pg', 'pg-pool'] },
  { name: 'pino', className: 'PinoInstrumentation', modules: ['pino'] },
  { name: 'redis', className: 'RedisInstrumentation', modules: ['redis', '@redis/client', '@node-redis/client'] },
  { name: 'restify', className: 'RestifyInstrumentation', modules: ['restify'] },
  // Express 5 routes through the `router` package: the same per-layer spans as `express`.
  { name: 'router', className: 'RouterInstrumentation', modules: ['router'], offByDefault: true },
  { name: 'runtime-node', className: 'RuntimeNodeInstrumentation', modules: [] },
  { name: 'socket.io', className: 'SocketIoInstrumentation', modules: ['socket.io'] },
  { name: 'tedious', className: 'TediousInstrumentation', modules: ['tedious'] },
  { name: 'undici', className: 'UndiciInstrumentation', modules: [] },
  { name: 'winston', className: 'WinstonInstrumentation', modules: ['winston'] },
];

export const INSTRUMENTATION_NAMES: readonly string[] = CATALOGUE.map((e) => e.name);
