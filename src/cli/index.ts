import { Command } from 'commander';
import { ConfigError } from '../config.ts';
import { MigrationError } from '../db/migrate.ts';
import { VERSION } from '../server/version.ts';
import { registerAggregate } from './aggregate.ts';
import { registerExport } from './export.ts';
import { registerImport } from './import.ts';
import { registerServe } from './serve.ts';

const program = new Command();
program.name('dure').description('Dure — crowdsourcing platform for AI training data').version(VERSION);
registerServe(program);
registerImport(program);
registerExport(program);
registerAggregate(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MigrationError) {
    console.error(err.message);
    process.exit(1);
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
