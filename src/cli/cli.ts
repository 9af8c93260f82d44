/** Entry point of the `redis-inspect` bundle (dist/cli.js). */
import { main } from './main.js';

process.exitCode = main(process.argv.slice(2));
