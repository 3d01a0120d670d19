"""Prose about the customer's side: pains, their words, security, integration, demos, POCs.

Rules ending in ``_p`` (problem: something they don't want) and ``_o`` (opportunity:
something they want and don't have) are picked by the deal's flavor under the bare name.
"""

RULES = """
# ---- discovery -------------------------------------------------------------------------
@t_discovery_p
{first} walked us through the main pain: {pain}.
Biggest issue by far: {pain}.
The real problem, as far as I can tell, is that {pain}.
Heard it from {title_ref} and again from the ops lead: {pain}.
Pain is real and they can put a number on it: {pain}, costing {impact}.
They are not shopping for features. {^pain}, and that is what they need fixed.
Second pain, smaller but real: {pain}.
[Core|Main|Headline] problem: {pain}.
Asked what breaks first when volume grows; the answer was that {pain}.
Underneath the feature list, the problem is that {pain}.
{first} was candid: {pain}, and leadership is tired of hearing about it.
Spent most of the call on pains. Top of the list: {pain}.
Business impact: {impact}.
They put the cost at {impact}[, which nobody disputed| per year, by their own estimate|].
Asked what happens if they do nothing: {do_nothing}.
Date-related motivation: {date_driver}.
Qualification: {qual}.
This is a tactical fix for them, so the buying trigger is the pain, not a strategy deck.
The pain sits with {dept}, but IT will run the evaluation.

@t_discovery_o
This is a growth play, not a fix: {pain}.
{first} framed it as an opportunity: {pain}.
What they want is easy to say and hard to do: {pain}.
Nothing is broken as such; {pain}.
The ambition is clear. {^pain}.
{title_ref} laid out the plan: {pain}.
Discovery was mostly about where they want to be in a year: {pain}.
Asked what success looks like. {first}'s answer: {pain}.
The upside they see is {upside}.
Why now: {date_driver}.
Qualification: {qual}.
They have no burning problem, which makes the date-related motivation the thing to watch.
Strategic project, sponsored from the top; the risk is that it stays a slide for another year.
The business case is about {upside}, so finance will want to see the assumptions.

@pain_p
month-end close takes {n_days} days because half of it is reconciled by hand
their current setup falls over whenever volume spikes at quarter end
nobody trusts the pipeline numbers, since three teams keep three versions of them
onboarding a new customer takes {n_weeks} weeks of manual setup
support tickets about {pain_area} have doubled since last year
the on-prem system they rely on goes out of vendor support in {month}
last year's audit flagged {audit_finding}
quotes take {n_days} days to turn around and they lose deals to faster vendors
the link between {legacy} and {system} breaks every few weeks and someone fixes it at the weekend
licence costs on the old platform went up {pct}% at renewal with nothing new to show for it
reporting is a copy-and-paste job that eats {n_hours} hours a week per analyst
customer data lives in {n_systems} systems and none of them agree
the people who built the in-house tool have mostly left and nobody wants to touch it
they failed a customer's security questionnaire over {audit_finding}
access is granted by email and nobody can say who has admin rights today
field teams work from exports that are a week old by the time they use them
every change to the old system needs a contractor and a six-week change window
renewals slip through the cracks because nobody owns the handover from sales
duplicate records are everywhere and marketing keeps emailing the same people twice

@pain_o
they want to launch a self-service portal for {segment} before {quarter}
leadership wants to expand into {region} next year and the platform has to come along
they want one view of the customer across sales, support and billing
the goal is to cut onboarding from weeks to days so they can take on more {segment}
they are building a partner program and want partners to have their own logins
they want to move to usage-based pricing by next fiscal year
they want to sell analytics to their own customers as a paid add-on
the new CIO wants to consolidate {n_systems} tools into one platform
they see mid-market business that their current setup cannot serve
they want renewals automated so customer success can focus on expansion
they want to launch in {region} with local data hosting from day one
the sales team wants live usage data in front of reps before renewal calls
they want to turn the ops team's spreadsheets into a service they can sell

@pain_area
login problems
missing data
slow reports
sync failures with {system}
permissions

@audit_finding
shared admin accounts
missing access reviews
no audit trail on record changes
orphaned accounts of people who left
unencrypted exports on a file share

@impact
roughly {n_fte} people doing manual work full time
around ${n_k}k a year in renewals lost to churn
two missed SLAs with their largest customer this quarter
a late quarter close, which the CFO notices every time
about {n_hours} hours a week per analyst, across a team of {n_team}
an audit finding that has to be closed before the next audit

@upside
roughly {pct}% more revenue from existing accounts
a new product line worth ${n_k}k in year one
a shorter sales cycle with {segment}
serving {segment} without adding headcount

@do_nothing
the legacy contract auto-renews in {month} at a higher rate
they miss a regulatory deadline in {month}
they keep hiring people to paper over it
honestly not much, which worries me, since there is no burning platform
the auditors come back in {month} and find the same gap

@date_driver
the legacy contract auto-renews in {month}
the auditors are back in {month}
a new product line launches in {quarter}
the old vendor ends support at the end of {month}
the board wants it live before the fiscal year ends in {month}

@qual
budget confirmed by {first}, sitting in the {dept} budget for this fiscal year
we have access to {first} but not to the economic buyer yet
they know what they are buying, and the RFP names {product}
there is an identified project ({project}) where {product} plugs in
date-related motivation is weak, with no deadline anyone cares about
budget is not confirmed, and {first} went vague when I asked who signs

@project
the {system} consolidation
the customer portal rebuild
their ERP migration
the zero-trust program
the one-customer-view initiative

# ---- the customer's own words ----------------------------------------------------------
@t_words
{first}, in their own words: "{quote}"
Quote from {title_ref}: "{quote}"
Worth keeping verbatim: "{quote}"
"{quote}" That was {first}, about ten minutes in.
{first} said it plainly: "{quote}"
Line of the call, from {first}: "{quote}"
Played the business issue back to them ({pain_short}) and {first} confirmed: "{quote}"
Paraphrased their issue back ({pain_short}); {first} agreed and added that {pain_add}.
Business issue, confirmed with {first}: {pain_short}.
{first} kept coming back to {pain_short}. "{quote}"

@quote_p
We spend more time fixing the data than using it.
Every quarter end is a fire drill.
I don't want my team exporting CSVs at midnight again.
If it breaks one more time during close, someone gets fired, and it might be me.
We have a tool for everything and an answer for nothing.
Our customers notice the problem before we do.
I can't tell you who has admin rights, and that scares me.
We've been burned by a migration before. Never again without a rollback plan.
I need fewer screens, not more features.
Honestly, the workaround has become the process.
We pay for three tools that do the same thing badly.

@quote_o
If we get this right, we can sell to {segment} next year.
I want my team doing analysis, not plumbing.
We want to be the easiest vendor in our market to onboard with.
Show me how this gets us into {region} faster.
The board keeps asking about our digital story. I need one.
We're not fixing something broken, we're building something new.
If partners can serve themselves, we can double the channel without hiring.
I want to walk into the next board meeting with real-time numbers.

@pain_short_p
manual reconciliation at month end
no trusted pipeline data
slow customer onboarding
a legacy system about to lose support
no control over who has access
integrations that break every few weeks

@pain_short_o
a self-service channel for {segment}
expansion into {region}
one view of the customer
new revenue from analytics
a partner program that runs itself

@pain_add_p
it is getting worse every quarter
the team is burning out on it
their largest customer has started to complain
the auditors have noticed too

@pain_add_o
timing matters because others in their market are moving the same way
the CEO mentions it in every all-hands
it is tied to this year's bonus targets
the budget exists only if the project starts this year

# ---- security --------------------------------------------------------------------------
@t_security
Security review with {title_ref}: {sec_item} and {sec_item} were the main questions.
They use {idp} for SSO. SAML is routine; what they want is SCIM, so leavers lose access the same
    day.
{first} pushed hard on SCIM. We do user provisioning but not group push yet; I owe them a straight
    answer.
Audit logs: they need {retention} of retention and an export to {siem}.
Asked about {cve_ref}; told them {cve_answer}.
They want our latest pen test summary under NDA before the POC touches production data.
Access control came up again: they need roles scoped per {scope}, not just admin and user.
Security questionnaire is {n_q} questions long. {colleague} has the standard answers; I'll do the
    {product} ones.
The CISO wants to understand {sec_item} before anything else moves.
SSO is a hard requirement and a non-issue: SAML against {idp} took ten minutes in the sandbox.
As expected, the security talk led to audit, then compliance, then CVEs. Had the answers ready this
    time.
Their security team asked how we handle {sec_item}; {sec_answer}.
Pen test: they accept our third-party report but want the remediation status of the two medium
    findings.
MFA has to be enforced through {idp}, not in our app. That works today.
They asked who at our company can see their data and how that access is logged.
Least privilege matters to them: support engineers must not see customer records without a ticket.
{first} wants a session timeout they control and IP allow-listing for the admin console.
Encryption at rest is fine; bring-your-own-key is a nice-to-have for them, not a blocker.

@cve_ref
the OpenSSL advisory from last month
the log4j scare, still
a CVE in one of our JavaScript dependencies
the advisory on our bundled database driver
a CVE their scanner flagged in our container image

@cve_answer
it is patched in the current release and the fix shipped within our SLA
we are not affected because the vulnerable module is never loaded
I'd follow up in writing with the advisory and our assessment
a fix is scheduled for the next patch release
their scanner is flagging a base image we replaced two releases ago

@sec_answer
our answer was solid
I answered from memory and need to confirm in writing
we were vague, and they noticed
{colleague} will follow up with the details
the docs already cover it, so I sent the link

@scope
business unit
region
customer account
project

@retention
one year
seven years
13 months
90 days of hot storage

# ---- compliance ------------------------------------------------------------------------
@t_compliance
They need the SOC 2 Type II report and a bridge letter before legal will look at the contract.
HIPAA applies: they need a BAA, and {first} asked whether we've signed one with a customer their
    size.
GDPR came up: the DPA, the sub-processor list, and where our support staff sit.
Data residency is a blocker unless we can host in {region_dc}.
Our ISO 27001 certificate is enough for their procurement team; no SOC 2 needed unless audit asks.
{first} wants all customer data to stay in {region_dc}, including backups and logs.
Compliance asked whether {product} ever writes personal data to logs. Checking with engineering
    first.
Their auditors will want evidence of quarterly access reviews; our review export should cover it.
The SOC 2 report is under NDA. Sent the NDA; the report goes out once it's signed.
They asked for our sub-processor list and the notice period for changes. Thirty days is their
    standard.
Hosting in {region_dc} is a must for anything touching {segment}, less so for the rest.
Compliance is driving the timeline: {compliance_driver}.

@compliance_driver
their ISO 27001 surveillance audit is in {month}
a HIPAA assessment lands in {quarter}
a GDPR complaint last year put data handling in front of the board
their biggest customer now demands SOC 2 from every vendor in the chain

# ---- integrations and APIs -------------------------------------------------------------
@t_integration
Integration is the crux: {system} stays the system of record and {product} reads from it.
They asked about API rate limits; {rate} is fine for their nightly batch but tight for real-time.
Walked their {eng_role} through the REST API and webhooks. Can a change reach {system} within a
    minute?
They built a connector to {system} for the old vendor and hope to reuse most of it.
Bi-directional sync with {system} is a must-have. [One-way will not fly|One-way sync is a
    non-starter|They were clear that one-way is not enough].
Their {eng_role} wants an OpenAPI spec before committing to anything.
Everything at {account} runs through Kafka; our webhooks would need a small bridge.
SSO aside, the {system} integration is the riskiest part of this deal.
{first} asked if we have a native connector for {system}. [We do, but it doesn't sync custom
    objects|We do; custom objects need the API|Yes, though their custom fields need mapping].
Showed webhook retries; their {eng_role} liked that failed deliveries are visible and replayable.
They want to trigger workflows in {product} from {system}, not the other way round.
Agreed the integration pattern: [a nightly bulk load plus webhooks for changes during the
    day|webhooks for changes, a weekly full reconcile|API pulls every fifteen minutes to start,
    webhooks later].
The {system} team sits in a separate org and hasn't been in any meeting yet. [We need them|We need
    them in the room before the POC|That has to change before the POC].

@rate
1,000 requests a minute
100 calls a second per tenant
the default burst limit

# ---- migration -------------------------------------------------------------------------
@t_migration
Migration scope: {n_records} records from {legacy}, plus attachments, with {n_years} years of
    history.
They want a dry run of the migration on [a copy of production|a full copy of their data|last
    month's snapshot] before anything goes live.
Data quality in {legacy} is poor: duplicate accounts, free-text fields, dates stored as text.
Cutover window is [one weekend|a long weekend|two nights]. [Nobody wants a long parallel
    run|Running both systems in parallel is off the table].
{first} asked who owns the field mapping. [Proposed our PS team for the first pass, their admins to
    review|Suggested we draft it and their admins own the sign-off].
Biggest migration risk is custom fields, around {n_fields} of them, half unused.
Migration estimate: {n_weeks} weeks, including two test loads.
They want a rollback plan written down before anyone talks about a cutover date.
Archive or migrate? Landed on migrating {n_years} years and keeping the rest read-only.
The export from {legacy} is the slow part; their admin thinks a full extract takes a day.

@n_fields
80
150
300
400

# ---- performance and scale -------------------------------------------------------------
@t_performance
Scale question: {scale_need}. [Our reference numbers cover it, but they want to see it on their
    data|We have customers that size; they still want proof on their data|Should be fine; we'll
    prove it in the POC].
A vendor's dashboards once took {n_sec} seconds to load for them, so performance gets tested, not
    trusted.
Peak load is {peak_time}; they want response times under {latency} at that point.
Asked for a reference architecture for {n_users} concurrent users across {n_regions} regions.
The performance concern is reporting, not transactions: their biggest report scans {n_records} rows.
{first} asked what happens when {system} sends a burst of updates. [Walked through queueing and
    back-pressure|Explained the queue and how we throttle|Showed how the queue absorbs it].
They need {uptime} uptime in the contract and will ask for our status page history.
Latency from {region} matters; they asked whether we have a hosting region closer to them.

@scale_need
{n_users} users, most of them logging in within the same hour
{n_events} events a day by next year
a single tenant with {n_records} records and heavy reporting
{n_users} users today and double that after their acquisition closes

@peak_time
the first business day of the month
Monday morning
quarter-end week
the hour after their nightly batch finishes

@latency
two seconds
500 ms
one second
300 ms

@n_sec
20
30
45

@n_regions
two
three
four

@n_events
5 million
50 million
200 million

@uptime
99.9%
99.95%
99.99%

# ---- demos -----------------------------------------------------------------------------
@t_demo
What landed: {landed}. What didn't: {flopped}.
Demo went {demo_overall}. {^landed}.
Next time lead with {demo_part}; it's what they care about.
Demo for {n_people} people, mostly {audience}. {^landed}.
{first} asked to see it on their own data next time.
{^flopped}. Lesson for next time: {demo_lesson}.
Best moment: {landed}. Worst: {flopped}.
The script held until {first} asked to see {demo_part}; I improvised and it held up.
They want a recording for the people who missed it.
Used the catalog demo for {demo_part}. Fine, but the catalog version needs newer sample data.

@landed
the approvals workflow landed well
the live {system} sync got a real reaction
reporting was the hit, and {first} asked for a copy of the dashboard
admins liked that role setup takes two clicks
the audit log view answered the security questions before they were asked
bulk import of their sample file worked first time

@flopped
the admin console fell flat, too much clicking
the sandbox was slow on first load and we lost a minute apologising
I went too deep on configuration and the business people checked out
the mobile view broke on their projector
the reporting section ran long and we rushed the end
the sample data looked nothing like their business

@demo_overall
well
better than expected
fine, not great
OK despite a rocky start
long

@demo_lesson
start from their pain, not our menu
check the sandbox an hour before
use their terminology
cut the admin part for business audiences
load data that looks like theirs

# ---- proofs of concept -----------------------------------------------------------------
@t_poc
POC day {n_day}: {poc_progress}.
Success criteria agreed with {first}: {criteria}, {criteria} and {criteria}.
POC status: {poc_status}.
Blocked on {poc_block}. Escalated to {first}.
Readout: {score} success criteria met. The miss was {criteria}.
{first}'s team ran the test scripts themselves this time, which is what we wanted.
POC environment is up; {colleague} loaded their sample data and SSO works against {idp}.
Week {n_week} of the POC. {^poc_progress}.
They want to extend the POC by two weeks. Said yes, but only with a readout date in the calendar.
No success criteria written down yet. Not starting the POC until there are.

@poc_progress
the {system} sync is working in both directions
bulk import ran in {n_min} minutes against a target of one hour
role setup for three business units is done
reports match their numbers except for currency rounding
their testers found two bugs, one of them real
slow start because of access to their test data

@criteria
SSO against {idp}
importing {n_records} records in under an hour
sync with {system} within five minutes
their three key reports reproduced
role-based access for three business units
audit log export to {siem}

@poc_status
green, on track for the readout
amber, waiting on their data
red until their firewall is opened
green, and users log in without being chased

@poc_block
their firewall team opening the ports
test data from {legacy}
a service account in {idp}
their security review of the sandbox
a decision on which business unit goes first

@n_day
2
3
5
8
10

@n_week
one
two
three
"""
