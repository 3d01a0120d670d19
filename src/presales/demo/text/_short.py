"""Short forms: note openers, terse shorthand fragments, bullet headers and activity subjects."""

RULES = """
# ---- openers, by activity kind and by closed stage -------------------------------------
@open_meeting
Good call with {first} ({title})[, {mood}|].
{call_len} call with {first} and {n_others} others from {account}.
Met {first} today; {mood}.
Call with {account} went {went}.
First proper conversation with {title_ref} at {account}.
Caught up with {first} after last week's {prev_event}.
Spoke to {first} this morning[, {mood}|].
Quick one with {first} between their other meetings[, {call_len_lc} at most|].
Longer call than planned with the {account} team.
Call with the {title} at {account}[ and two of their leads|, {mood}|].
{weekday} call with {title_ref}[, {mood}|].
{first} joined late but stayed an extra half hour.
Back-to-back calls at {account} today; this one was with {title_ref}.
Follow-up with {first} on the {prev_event}[, {call_len_lc}|].
{first} brought {n_others} colleagues this time, including someone from {dept}.

@open_demo
Demo for {account} today, {n_people} people on the line including {title_ref}.
Ran the {product} demo for {first}'s team[, {mood}|].
Demo done[, finally|, on the second attempt at a time that suited everyone|].
{product} demo at {account}, built around {demo_part}.
Second demo for {account}, this time for {audience}.
Demoed to {first} and a group from {audience}[ on {weekday}|].
{call_len} demo for {title_ref} and {n_others} others.
Tailored the demo to {demo_part} after last week's {prev_event}.
{first} asked for this demo specifically for {audience}.

@open_poc
POC check-in with {first}[, {mood}|].
Week {n_week} of the POC at {account}.
POC sync with {first}'s team[, {mood}|].
Weekly POC call with {account}[ on {weekday}|].
POC kickoff with {account} today[; {n_people} people on the call|].
{weekday} POC stand-up with {title_ref}.
POC review with {first}, about halfway through.
Mid-point check on the {product} POC with {first}.

@open_workshop
Half-day workshop with {account} on {workshop_topic}.
Whiteboard session with their {eng_role} on {workshop_topic}.
Workshop on {workshop_topic} done, {n_people} people in the room.
Ran the workshop on {workshop_topic} with {first}[ and their {eng_role}|].
Two-hour session on {workshop_topic} with {title_ref}.
Workshop with {account} ({workshop_topic}); {first} ran their side of it.

@open_internal
Internal sync with {rep} on {account}[, twenty minutes|].
Deal review for {account}[ with the manager|].
Notes from the {account} account planning session.
Prep for the next {account} call[ on {weekday}|].
Debrief with {rep} after the {account} call[; {went_debrief}|].
Five-minute debrief with {rep} on {account}.
Went through {account} with {rep} before the forecast call.
{account} strategy chat with {rep} and {cname}.

@open_out_of_band
Not {account} work, strictly speaking[; {oob_source} again|].
Got pulled into a request from {oob_source} today.
Out-of-band time again[, {weekday} afternoon gone|, the second time this week|].
Unplanned work on {weekday}[, about {n_hours} hours|].
{^oob_source} needed an SE and I was the one online.
Lost most of {weekday} morning to something that isn't a deal.
Another favour for {oob_source}.
Logging this so it shows up in the out-of-band numbers.

@open_none
Update on {account}[ after a quiet week|].
Note to self on {account}.
Email thread with {first}, summarised.
Quick update after a few emails with {first}[ and {rep}|].
Status on {account} and {product}.
{first} replied to last week's email at last.
Nothing booked with {account} this week, so writing down where things stand.
Short update: {first} sent a long email on {weekday}.
Summary of a Slack thread with {first}'s team.

@open_won
Closed-won[ after {n_months} months|].
{account} signed today[, {product}, {n_years_term}-year term|].
Signed!
Closed-won: {product} for {account}[, {n_seats} seats|].
{first} confirmed on {weekday}: they are going with us.
Good news from {account}: the order form came back signed.
{account} is a customer[ as of {weekday}|].

@open_lost
Closed-lost[ after {n_months} months of work|].
{account} went another way.
Lost this one[, and it stings|].
{first} called to say they are not going ahead[ with {product}|].
Bad news from {account}[ on {weekday}|].
{account} chose not to proceed.
Marking {account} as lost[; notes for the win/loss review below|].

@n_months
three
four
five
seven
nine

@call_len_lc
thirty minutes
twenty minutes
ten minutes

@went_debrief
we mostly agreed
we did not agree on the timeline
useful, for once

@call_len
30-minute
Hour-long
45-minute
Short

@n_others
two
three
four

@mood
engaged but cautious
more open than last time
sceptical, and with reason
distracted by a fire on their side
upbeat, for once

@went
well
better than expected
sideways for the first half
fine

@prev_event
demo
security review
pricing email
workshop

@workshop_topic
the {system} integration
data migration
security architecture
role design
reporting requirements
the rollout plan

# ---- terse shorthand: openers and one fragment per topic -------------------------------
@z_open
Call w/ {title},
Call w/ {first},
Sync w/ {first} ({title}):
{account}:
Mtg w/ {first} -
{account} / {product}:
Spoke to {first},
{weekday} call w/ {title}:

@z_open_out_of_band
OOB:
Unplanned:
{weekday}:
Out-of-band,

@z_discovery_p
pain = {pain_short}
real issue is {pain_short}
no burning platform yet
date driver: {date_driver}
cost of doing nothing: {impact}

@z_discovery_o
goal = {pain_short}
growth play, not a fix
why now: {date_driver}
upside: {upside}

@z_words
quote: "{quote}"
confirmed biz issue: {pain_short}

@z_security
pushed on SCIM again
SSO fine ({idp})
wants pen test summary
SCIM gap = real blocker
audit log export to {siem} needed
CVE q re {cve_ref}, answered
asked re BYOK
sec questionnaire incoming, {n_q} q's

@z_compliance
needs SOC 2 + bridge letter
BAA req'd
DPA redlines pending
data must stay in {region_dc}
ISO cert ok for procurement

@z_integration
{system} = system of record
wants OpenAPI spec
bi-dir sync w/ {system} is a must
rate limits ok for batch, not real-time
nobody from the {system} team on the call yet

@z_migration
approx {n_records} recs to migrate
wants a dry run first
data quality in {legacy} is bad
cutover = one weekend

@z_performance
{n_users} users, peak {peak_time}
perf will be tested on their data
wants {uptime} SLA

@z_pricing
asked for pricing, {n_seats} seats
wants {discount}% for 3yr
budget not confirmed
budget ok, sits w/ {dept}
CFO signs above ${n_k}k

@z_procurement
MSA redlines w/ legal
liability cap still open
procurement adds {n_weeks} wks
vendor onboarding forms to deal desk

@z_competitor
{competitor} in the deal
{competitor} demoed last wk
{competitor} cheaper, we're stronger on {weak_area}
bake-off vs {competitor}

@z_status_quo
no competitor named
real alternative = do nothing

@z_risk
budget freeze?
champion gone
slipping to next qtr
reorg, new VP we haven't met
sec objection still open ({sec_objection})
quiet since proposal
EB has never shown up

@z_commit
will send SOC 2 {due_short}
{cname}: sandbox {due_short}
{cname} to set up sandbox {due_short}
{rep} to send revised quote {due_short}
{first} to send sample data {due_short}
will {action_ours} {due_short}
{first} to {action_theirs} {due_short}

@z_feature
asked re {feature}, roadmap {quarter}
asked re {feature}, declined
asked re {feature}, no answer yet
gap: {feature}
FR logged: {feature}

@z_demo
demo landed, esp. {demo_part}
{demo_part} fell flat
wants demo on own data
too long, cut admin next time

@z_poc
POC green
POC amber, waiting on data
POC blocked on {poc_block}
{score} criteria met

@z_next
next: {next_step}
f/u {weekday}
next mtg {weekday}

@z_internal
handoff to {cname}
rep and I heard diff timelines
fcst: commit vs best case
deal desk: {deal_desk}

@z_oob
pulled in by {oob_source}: {oob_issue}
{n_hours_short} on {oob_issue}
OOB again ({oob_source})

@z_oob_after
need a ticket next time
{n_hours_month} hours OOB this month
{account} f/u slipped a day
flagged in team channel
mgr informed

@z_rollout
CS kickoff {weekday}
handover to CS done
rollout: pilot w/ {audience} first
PS to staff the {system} integration

@z_win
won on POC
won, {first} carried it internally
won: {sec_win}

@z_win_comp
beat {competitor} on {weak_area}
won vs {competitor}

@z_loss
lost, budget freeze
no decision, champion left
lost on sec review ({sec_objection})
lost, built in-house instead
lost on price

@z_loss_comp
lost to {competitor} on price
lost to {competitor}, incumbent

@bullet_header
Notes from today:
Takeaways:
Key points:
Debrief:
Open items:
Summary:
Notes from the {account} call:
{account} – takeaways:
Debrief, {weekday}:
From the call with {first}:
{product} / {account}, open points:
After the {prev_event} with {first}:

# ---- activity subjects -----------------------------------------------------------------
@s_meeting
Check-in with {contact} ({title})
{account} / {product}: architecture review
Call w/ {title} at {account}
{account} – {topic_tag} follow-up
Weekly sync – {account}
Stakeholder call: {contact}, {account}
Security deep-dive with {account} ({sec_tag})
{account}: {topic_tag} questions

@s_meeting_early
Discovery call with {account}
Intro call – {account}
{account}: discovery ({title})
Business issues review with {first} ({account})
Qualification call – {account}
First meeting with the {title} at {account}

@s_meeting_late
Pricing walkthrough – {account}
Proposal review with {account}
Legal/procurement call – {account} MSA
Commercials with {account} ({product})
Security questionnaire review – {account}
Mutual action plan review – {account}

@s_meeting_won
Handover to CS – {account}
Implementation planning – {account}
Thank-you call with {first} ({account})

@s_meeting_lost
Loss review call with {account}
Feedback call: why {account} went another way

@s_demo
{product} demo for {account}
Demo: {product} – {demo_tag} ({account})
Follow-up demo: {demo_tag} for {account}
Tailored demo – {account} {audience_tag}
{account} demo ({audience_tag})
Executive demo for the {title} at {account}
Demo prep + delivery – {account}

@s_poc
POC kickoff – {product} at {account}
POC check-in: {account}
POC readout with {account}
POC success criteria review – {account}
POC week {n_week} sync – {account}
POC troubleshooting: {poc_tag} ({account})
POC environment setup for {account}

@s_workshop
Architecture workshop with {account}
Integration workshop: {system} + {product}
Whiteboard workshop – {account} data migration
{account} security architecture workshop
Reporting requirements workshop – {account}
Rollout planning workshop ({account})

@s_internal
Internal: pricing review for {account}
Deal review: {account} ({product})
Internal: handoff to {cname} for {account}
Forecast prep – {account}
Meeting planner prep: {account} {topic_tag}
Internal debrief after {account} call
Internal: product gap triage ({account})
Account planning: {account}

@s_internal_closed
Win/loss debrief – {account}
Internal: {account} retro

@s_out_of_band
Support escalation: help with a customer's SSO config
Marketing: webinar demo build
Partner enablement session
RFP answers for another team
Support: reproduce {system} sync bug
Record demo video for {product} launch
Trade show booth duty
Fix broken demo environment for another rep
CS request: renewal security questionnaire
Product: customer interview for roadmap
Support escalation: SCIM sync failing for a customer
Marketing: competitive battlecard review
Help {oob_source} with {oob_issue}
Help {oob_source} with {oob_issue}
Support: {system} connector question from a customer
Partner enablement: {product} in {region}
Internal demo for the sales team covering {region}
Onboarding session for a new SE ({product})
Support: customer asking about {sec_tag}
Marketing: {product} launch deck review

@s_none
Email follow-up to {contact}
Sent {doc_tag} to {account}
Follow-up: {topic_tag} for {account}
Note: {account}
{account}: {topic_tag} questions by email
Update from {first}

@sec_tag
SSO/SCIM
audit logs
SOC 2
pen test
access control
SAML
data residency

@topic_tag
security
integration
pricing
migration
SSO
API
data residency
performance
roadmap

@demo_tag
reporting
approvals
admin console
mobile
integrations
self-service portal

@audience_tag
end users
IT
execs
security team
finance

@doc_tag
SOC 2 report
pen test summary
API docs
revised quote
POC plan
migration plan

@poc_tag
SSO
data load
{system} sync
firewall
reports
"""
