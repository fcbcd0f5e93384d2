import path from 'node:path';

/** Typed configuration, read and validated once at start. A bad value stops the start. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  assetDir: string;
  publicUrl: string | null;
  secureCookies: boolean;
  adminEmail: string | null;
  adminPassword: string | null;
  sessionTtlHours: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest request body accepted, in bytes (imports stream, but a single request is still bounded). */
  maxBodyBytes: number;
  /** Largest single item (one JSON object / CSV row) accepted in an import, in bytes. */
  maxItemBytes: number;
  /** Largest single file (an image in a zip, an upload for a file control), in bytes. */
  maxAssetBytes: number;
  platformFeePercent: number;
  minimumWagePerHour: number;
  withholdingPercent: number;
  minPayout: number;
  /** Confirm bank-transfer deposits at once (development); false = an operator confirms each. */
  autoConfirmDeposits: boolean;
  /** Webhooks may target private, loopback and link-local addresses (off: refused, against SSRF). */
  webhookAllowPrivate: boolean;
  webDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];

  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (!/^-?\d+$/.test(raw.trim())) {
      problems.push(`${name} must be an integer, got "${raw}"`);
      return def;
    }
    const n = Number(raw);
    if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  const num = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      problems.push(`${name} must be a number, got "${raw}"`);
      return def;
    }
    if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };

  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return def;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${env[name]}"`);
    return def;
  };

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded database)');
  }
  const publicUrl = env.DURE_PUBLIC_URL?.trim() || null;
  if (publicUrl) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      problems.push(`DURE_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
    }
  }
  const adminEmail = env.DURE_ADMIN_EMAIL?.trim() || null;
  const adminPassword = env.DURE_ADMIN_PASSWORD || null;
  if ((adminEmail === null) !== (adminPassword === null)) {
    problems.push('DURE_ADMIN_EMAIL and DURE_ADMIN_PASSWORD must be set together');
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.DURE_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!levels.includes(logLevel)) problems.push(`DURE_LOG_LEVEL must be one of ${levels.join(', ')}`);

  const dataDir = path.resolve(env.DURE_DATA_DIR || './.dure-data');
  const config: Config = {
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    dataDir,
    assetDir: path.resolve(env.DURE_ASSET_DIR || path.join(dataDir, 'assets')),
    publicUrl,
    secureCookies: publicUrl?.startsWith('https://') ?? false,
    adminEmail,
    adminPassword,
    sessionTtlHours: int('DURE_SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365),
    logLevel,
    maxBodyBytes: int('DURE_MAX_BODY_BYTES', 1024 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024),
    maxItemBytes: int('DURE_MAX_ITEM_BYTES', 1024 * 1024, 64, 1024 * 1024 * 1024),
    maxAssetBytes: int('DURE_MAX_ASSET_BYTES', 50 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    platformFeePercent: num('DURE_PLATFORM_FEE_PERCENT', 10, 0, 100),
    minimumWagePerHour: int('DURE_MINIMUM_WAGE', 10320, 0, 10_000_000),
    withholdingPercent: num('DURE_WITHHOLDING_PERCENT', 3.3, 0, 100),
    minPayout: int('DURE_MIN_PAYOUT', 10000, 0, 1_000_000_000),
    autoConfirmDeposits: bool('DURE_AUTO_CONFIRM_DEPOSITS', true),
    webhookAllowPrivate: bool('DURE_WEBHOOK_ALLOW_PRIVATE', false),
    webDir: path.resolve(env.DURE_WEB_DIR || 'dist/web'),
    ...overrides,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
