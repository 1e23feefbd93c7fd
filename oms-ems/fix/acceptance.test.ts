/**
 * QuickFIX's FIX 4.4 acceptance suite (59 scripts from its Debian source package, fetched into .cache/, never
 * committed) played against `lakehouse fix-venue --app echo`, the acceptor configured as QuickFIX's own test setup:
 * SenderCompID ISLD, counterparties TW and TW44, ResetOnLogon. QuickFIX C++ 1.15.1 itself passes 57 of them (it fails
 * 19b and 21 only because its test venue keeps PossResend ClOrdIDs across logons and does not echo
 * SecurityDefinition); this engine must pass every script listed below.
 * The two scripts that wait on heartbeat timers (~34 s and ~12 s) run against acceptors of their own, concurrently
 * with the rest, so the suite takes about as long as the slowest script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from '../../test/cli.js';
import { runDefinition } from '../../test/fix-at-runner.js';
import { quickfixSourceDir } from '../../test/quickfix-peer.js';

const MUST_PASS = [
  '10_MsgSeqNumEqual', '10_MsgSeqNumGreater', '10_MsgSeqNumLess', '11a_NewSeqNoGreater', '11b_NewSeqNoEqual', '11c_NewSeqNoLess',
  '13b_UnsolicitedLogoutMessage', '14a_BadField', '14b_RequiredFieldMissing', '14c_TagNotDefinedForMsgType',
  '14d_TagSpecifiedWithoutValue', '14e_IncorrectEnumValue', '14f_IncorrectDataFormat', '14g_HeaderBodyTrailerFieldsOutOfOrder',
  '14h_RepeatedTag', '14i_RepeatingGroupCountNotEqual', '15_HeaderAndBodyFieldsOrderedDifferently',
  '19a_PossResendMessageThatHAsAlreadyBeenSent', '19b_PossResendMessageThatHasNotBeenSent', '1a_ValidLogonMsgSeqNumTooHigh',
  '1a_ValidLogonWithCorrectMsgSeqNum', '1b_DuplicateIdentity', '1c_InvalidSenderCompID', '1c_InvalidTargetCompID',
  '1d_InvalidLogonBadSendingTime', '1d_InvalidLogonLengthInvalid', '1d_InvalidLogonWrongBeginString', '1e_NotLogonMessage',
  '20_SimultaneousResendRequest', '21_RepeatingGroupSpecifierWithValueOfZero', '2a_MsgSeqNumCorrect', '2b_MsgSeqNumTooHigh',
  '2c_MsgSeqNumTooLow', '2d_GarbledMessage', '2e_PossDupAlreadyReceived', '2e_PossDupNotReceived',
  '2f_PossDupOrigSendingTimeTooHigh', '2g_PossDupNoOrigSendingTime', '2i_BeginStringValueUnexpected',
  '2k_CompIDDoesNotMatchProfile', '2m_BodyLengthValueNotCorrect', '2o_SendingTimeValueOutOfRange', '2q_MsgTypeNotValid',
  '2r_UnregisteredMsgType', '2t_FirstThreeFieldsOutOfOrder', '3b_InvalidChecksum', '3c_GarbledMessage',
  '4a_NoDataSentDuringHeartBtInt', '4b_ReceivedTestRequest', '6_SendTestRequest', '7_ReceiveRejectMessage',
  '8_AdminAndApplicationMessages', '8_OnlyAdminMessages', '8_OnlyApplicationMessages', 'AlreadyLoggedOn',
  'RejectResentMessage', 'ReverseRoute', 'ReverseRouteWithEmptyRoutingTags', 'SessionReset',
];
/** Scripts this engine cannot pass, with the reason. None. */
const CANNOT_PASS: Record<string, string> = {};
/** Scripts that sit out heartbeat intervals, each given an acceptor of its own. */
const SLOW = ['6_SendTestRequest', '4a_NoDataSentDuringHeartBtInt'];

interface Venue { port: number; child: ChildProcess; stderr: () => string }

async function startEchoVenue(): Promise<Venue> {
  const child = spawnCli(['fix-venue', '--port', '0', '--comp-id', 'ISLD', '--counterparties', 'TW,TW44', '--app', 'echo', '--log-level', 'error']);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fix-venue exited (${code}) before listening: ${stderr}`)));
  });
  return { port, child, stderr: () => stderr };
}

function stop(venue: Venue): Promise<number | null> {
  return new Promise((resolve) => {
    if (venue.child.exitCode !== null) return resolve(venue.child.exitCode);
    venue.child.once('exit', (code) => resolve(code));
    venue.child.kill('SIGTERM');
  });
}

describe('QuickFIX acceptance suite (FIX 4.4 server scripts) against lakehouse fix-venue --app echo', () => {
  let definitions: string;
  const venues: Venue[] = [];

  beforeAll(async () => {
    definitions = join(await quickfixSourceDir(), 'test', 'definitions', 'server', 'fix44');
  });

  afterAll(async () => {
    await Promise.all(venues.map(stop));
  });

  it('passes every script it must, and the scripts are the 59 expected', async () => {
    const scripts = readdirSync(definitions).filter((f) => f.endsWith('.def')).map((f) => f.slice(0, -4)).sort();
    expect(scripts).toEqual([...MUST_PASS, ...Object.keys(CANNOT_PASS)].sort());

    const groups = [...SLOW.map((s) => [s]), scripts.filter((s) => !SLOW.includes(s))];
    const results: Record<string, string | null> = {};
    await Promise.all(groups.map(async (group) => {
      const venue = await startEchoVenue();
      venues.push(venue);
      for (const script of group) {
        results[script] = await runDefinition(join(definitions, `${script}.def`), { host: '127.0.0.1', port: venue.port });
        // Let the acceptor see the tester's close before the next script logs on as the same counterparty.
        await new Promise((r) => setTimeout(r, 100));
      }
    }));

    const failures = Object.fromEntries(Object.entries(results).filter(([, why]) => why !== null));
    expect(failures).toEqual(Object.fromEntries(Object.keys(CANNOT_PASS).map((s) => [s, expect.any(String)])));
    expect(Object.keys(results).filter((s) => results[s] === null).sort()).toEqual([...MUST_PASS].sort());

    const exitCodes = await Promise.all(venues.splice(0).map(stop));
    expect(exitCodes).toEqual(exitCodes.map(() => 0));
  }, 120_000);
});
