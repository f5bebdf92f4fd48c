/**
 * `npm run temporal:cli`: makes sure a Temporal CLI is on this machine (building it from source
 * when there is no internet) and prints where it is. CI runs this before the tests.
 */
import { cliVersion, ensureTemporalCli, findTemporalCli } from '../common/kit/temporal-cli';
import { runMain } from '../common/cli';

runMain(async () => {
  const already = findTemporalCli();
  const binary = await ensureTemporalCli((line) => console.log(line));
  const version = cliVersion(binary);
  if (!version) throw new Error(`${binary} exists but does not run (temporal --version failed)`);
  console.log(`Temporal CLI: ${binary} (${already ? already.source : 'just provisioned'}; ${version.split('\n')[0]})`);
});
