// The CLI tests run the built `curfew` command, as users do: build it from the current sources first.
import { buildCli } from '../../scripts/build-cli.mjs';

export async function setup() {
  await buildCli({ quiet: true });
}
