// SPDX-License-Identifier: Apache-2.0
//
// Cedar (cedar-wasm) on the same request stream as bench_policy, with Cedar policies
// equivalent to bench_policy's 10 IAM policies / 40 statements. Prints medians and checks
// that Cedar decides every request as the IAM engine did (allowed <=> Allow).
//
//   node bench_cedar.mjs REQUESTS.json [--runs N]
//
// Translation notes (Cedar has no IAM wildcard actions, ARN segments or policy variables):
// - IAM action lists ("ec2:Describe*") become action groups; each concrete action entity
//   names the groups whose IAM patterns match it (static data, computed once per action).
// - Resource ARN patterns become `resource.arn like "..."`. Cedar's '*' also crosses ':', IAM's
//   does not within the first five ARN segments; every ARN in the stream is well formed, so
//   the results agree (checked below, request by request).
// - A policy variable in Resource (${aws:username}) has no Cedar equivalent; such a statement
//   becomes one policy per user, `principal == User::"name"` with the name in the pattern.
// - aws:CurrentTime becomes context.epoch (a long), aws:SourceIp context.sourceIp (ip),
//   aws:PrincipalTag/x principal attribute x; IAM's missing-key semantics are spelled out
//   with `has`.
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length < 1) {
    console.error('usage: node bench_cedar.mjs REQUESTS.json [--runs N]');
    process.exit(2);
}
const runs = args[1] === '--runs' ? parseInt(args[2], 10) : 7;
const requests = JSON.parse(readFileSync(args[0], 'utf8'));
const ACCOUNT = '123456789012';
const SVC = ['ec2', 'ssm', 'logs', 'kms', 'sqs', 'sns', 'dynamodb', 'lambda'];
const USERS = [...new Set(requests.map((r) => r.user))].sort();
const EXPIRY = Date.parse('2027-01-01T00:00:00Z') / 1000;

// Action groups: id -> IAM action patterns.
const groups = {
    HostLogin: ['host:Login'],
    HostSudo: ['host:Sudo'],
    HostAll: ['host:*'],
    HomeRW: ['s3:GetObject', 's3:PutObject'],
    HomeList: ['s3:ListBucket'],
    S3Delete: ['s3:DeleteObject'],
    S3GetAll: ['s3:Get*'],
};
for (const s of SVC) {
    groups[`${s}-Read`] = [`${s}:Describe*`, `${s}:List*`, `${s}:Get*`];
    groups[`${s}-Write`] = [`${s}:Create*`, `${s}:Update*`];
    groups[`${s}-Delete`] = [`${s}:Delete*`];
    groups[`${s}-All`] = [`${s}:*`];
}

const inRange = (...nets) => '(' + nets.map((n) => `context.sourceIp.isInRange(ip("${n}"))`).join(' || ') + ')';
let text = `
@id("HostLogin") permit(principal, action in Action::"HostLogin", resource) when {
  resource.arn like "arn:aws:ec2:*:${ACCOUNT}:instance/*" && ${inRange('10.0.0.0/8', '192.168.0.0/16')} };
@id("HostSudo") permit(principal, action in Action::"HostSudo", resource) when {
  resource.arn like "arn:aws:ec2:*:${ACCOUNT}:instance/*" && principal has team && principal.team == "ops" &&
  ${inRange('10.0.0.0/8')} };
@id("HostExpiry") forbid(principal, action in Action::"HostAll", resource) when { context.epoch > ${EXPIRY} };
@id("ProdSudoOpsOnly") forbid(principal, action in Action::"HostSudo", resource) when {
  resource.arn like "arn:aws:ec2:*:${ACCOUNT}:instance/i-prod*" && !(principal has team && principal.team == "ops") };
@id("HomeList") permit(principal, action in Action::"HomeList", resource) when { resource.arn == "arn:aws:s3:::home" };
@id("NoRemoteDelete") forbid(principal, action in Action::"S3Delete", resource) when {
  resource.arn like "arn:aws:s3:::home/*" && !${inRange('10.0.0.0/8')} };
@id("SharedRead") permit(principal, action in Action::"S3GetAll", resource) when {
  resource.arn like "arn:aws:s3:::shared/*" && principal has project && principal.project like "proj-*" };
`;
for (const u of USERS)
    text += `@id("HomeRW-${u}") permit(principal == User::"${u}", action in Action::"HomeRW", resource) when {
  resource.arn like "arn:aws:s3:::home/${u}/*" };\n`;
for (const s of SVC) {
    text += `
@id("${s}-Read") permit(principal, action in Action::"${s}-Read", resource) when {
  resource.arn like "arn:aws:${s}:*:${ACCOUNT}:*" && ${inRange('10.0.0.0/8')} };
@id("${s}-Write") permit(principal, action in Action::"${s}-Write", resource) when {
  resource.arn like "arn:aws:${s}:us-east-1:${ACCOUNT}:*" && principal has team &&
  (principal.team == "ops" || principal.team == "dev") && context.epoch < ${EXPIRY} };
@id("${s}-DeleteOpsOnly") forbid(principal, action in Action::"${s}-Delete", resource) when {
  !(principal has team && principal.team like "ops*") };
`;
    for (const u of USERS)
        text += `@id("${s}-OwnThings-${u}") permit(principal == User::"${u}", action in Action::"${s}-All", resource) when {
  resource.arn like "arn:aws:${s}:*:${ACCOUNT}:thing/${u}-*" && principal has project && principal.project like "proj-*" };\n`;
}

// IAM action wildcard (case-insensitive), to give each concrete action its groups once.
const globRe = (p) => new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
const groupRes = Object.entries(groups).map(([id, pats]) => [id, pats.map(globRe)]);
const actionParents = new Map();
const parentsOf = (a) => {
    if (!actionParents.has(a))
        actionParents.set(a, groupRes.filter(([, res]) => res.some((re) => re.test(a))).map(([id]) => ({ type: 'Action', id })));
    return actionParents.get(a);
};

const calls = requests.map((r) => {
    const user = { username: r.user, team: r.team };
    if (r.project) user.project = r.project;
    return {
        principal: { type: 'User', id: r.user },
        action: { type: 'Action', id: r.action },
        resource: { type: 'Resource', id: r.resource },
        context: { sourceIp: { __extn: { fn: 'ip', arg: r.ip } }, epoch: r.epoch },
        entities: [
            { uid: { type: 'User', id: r.user }, attrs: user, parents: [] },
            { uid: { type: 'Action', id: r.action }, attrs: {}, parents: parentsOf(r.action) },
            { uid: { type: 'Resource', id: r.resource }, attrs: { arn: r.resource }, parents: [] },
        ],
    };
});

const policies = { staticPolicies: text };
const parsed = cedar.checkParsePolicySet(policies);
if (parsed.type !== 'success') {
    console.error(JSON.stringify(parsed, null, 2));
    process.exit(1);
}
const nPolicies = (text.match(/@id\(/g) || []).length;
if (cedar.preparsePolicySet('bench', policies).type !== 'success') process.exit(1);
const statefulCalls = calls.map((c) => ({ ...c, preparsedPolicySetId: 'bench' }));
const fullCalls = calls.map((c) => ({ ...c, policies }));

// Same decisions?
let mismatches = 0, allow = 0;
for (let i = 0; i < calls.length; i++) {
    const a = cedar.statefulIsAuthorized(statefulCalls[i]);
    if (a.type !== 'success') {
        console.error(JSON.stringify(a));
        process.exit(1);
    }
    const cedarAllow = a.response.decision === 'allow';
    if (cedarAllow) allow++;
    if (cedarAllow !== (requests[i].decision === 'allowed')) {
        if (mismatches < 5) console.error('decision differs:', JSON.stringify(requests[i]), a.response.decision);
        mismatches++;
    }
}

const median = (v) => { const s = [...v].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function time(fn, list, reps) {
    const wall = [], cpu = [];
    for (let r = 0; r < reps; r++) {
        const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
        for (const c of list) fn(c);
        const t1 = process.hrtime.bigint(), c1 = process.cpuUsage(c0);
        wall.push(Number(t1 - t0) / list.length);
        cpu.push(((c1.user + c1.system) * 1000) / list.length);
    }
    return { wall: median(wall), cpu: median(cpu) };
}
// Warm up, then time.
for (let i = 0; i < 2000; i++) cedar.statefulIsAuthorized(statefulCalls[i % statefulCalls.length]);
for (let i = 0; i < 300; i++) cedar.isAuthorized(fullCalls[i % fullCalls.length]);
const st = time(cedar.statefulIsAuthorized, statefulCalls, runs);
const few = fullCalls.slice(0, Math.min(500, fullCalls.length));
const full = time(cedar.isAuthorized, few, Math.max(3, Math.min(runs, 5)));

console.log(`cedar-wasm ${cedar.getCedarVersion()} (node ${process.version}): ${nPolicies} Cedar policies for the 40 IAM statements`);
console.log(`decisions equal to the IAM engine's: ${calls.length - mismatches}/${calls.length} (Cedar allow ${allow})`);
console.log(`statefulIsAuthorized (policy set pre-parsed): median ${st.cpu.toFixed(0)} ns CPU/decision (${(st.wall / 1000).toFixed(1)} us wall) = ${(1e3 / st.cpu).toFixed(3)} million decisions/s (${runs} runs x ${calls.length} requests)`);
console.log(`isAuthorized (policies parsed per call): median ${(full.cpu / 1000).toFixed(1)} us CPU/decision (${(full.wall / 1000).toFixed(1)} us wall) over ${few.length} requests`);
console.log(`CEDAR_NS_PER_DECISION=${st.cpu.toFixed(1)}`);
console.log(`CEDAR_FULL_NS_PER_DECISION=${full.cpu.toFixed(1)}`);
if (mismatches) process.exit(1);
