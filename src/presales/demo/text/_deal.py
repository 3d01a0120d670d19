"""Prose about the deal itself: money, paper, rivals, risks, promises, gaps and outcomes."""

RULES = """
# ---- pricing and budget ----------------------------------------------------------------
@t_pricing
Budget: {budget_state}.
{first} asked for pricing on {n_seats} seats over {n_years_term} years; {rep} will send a proposal.
Price came up earlier than I'd like. [Gave a range and moved back to the value case|Gave a ballpark
    and steered back to the business case].
They want {discount}% off for a three-year commitment; {rep} is taking it to deal desk.
Finance will compare us with the cost of doing nothing, which is {impact}.
Ramp pricing would help: fewer seats in year one while they migrate.
Per-seat pricing worries them because {seat_worry}.
{first} hinted that the budget is closer to ${n_k}k than to what we quoted.
Procurement asked for a price breakdown by module. Sent what we could without unbundling.
They asked whether {product} and the {addon} add-on can be bought separately.
The business case holds if the services estimate holds; if PS grows, it doesn't.
Asked directly who signs: the CFO, above ${n_k}k. We haven't met the CFO.

@budget_state
approved for this fiscal year and sitting with {dept}
not allocated yet; {first} will try to pull it from the {dept} project
there, but only if it closes before their fiscal year ends in {month}
shared with another initiative, so every dollar is contested
confirmed by the economic buyer in writing

@seat_worry
half their users log in once a month
contractors come and go every quarter
they expect headcount to double
partners would need seats too

@n_years_term
two
three

@addon
analytics
advanced security
sandbox
premium support

# ---- procurement and legal -------------------------------------------------------------
@t_procurement
Procurement sent their MSA; our legal will return redlines {due}.
Legal is stuck on the liability cap: they want {cap}, we offer 12 months of fees.
Vendor onboarding needs insurance certificates, a W-9 and a bank letter. Passed it to deal desk.
Their procurement process adds {n_weeks} weeks minimum, whatever the deal size.
The paper process is legal, then security sign-off, then procurement, then the CFO. We're at
    {step_now}.
They want to use their own paper; our legal prefers ours. {^rep} is negotiating it.
DPA redlines came back with two open points: audit rights and sub-processor notice.
Procurement wants a vendor risk assessment on their portal: {n_q} more questions.
Their legal team is out until {weekday}; nothing moves before then.
Order form is agreed; waiting on the CFO's signature.
Payment terms: net {net} on their side, net 30 on ours. {^rep} to sort it out.

@cap
unlimited liability for data breaches
three times annual fees
a separate cap for security incidents

@step_now
step two
legal, still
the security sign-off
procurement, finally

@net
45
60
90

# ---- competition -----------------------------------------------------------------------
@t_competitor
{competitor} is in the deal. They demoed last week and {comp_impression}.
{first} mentioned {competitor} twice. Sounds like they are {comp_position}.
{competitor} is cheaper on paper; our case is {differentiator}.
They are running a bake-off between us and {competitor}, with a decision in {month}.
Heard {competitor} promised {comp_promise}. Worth asking them for it in writing.
{competitor} is the incumbent and the team knows it well, so switching cost is our real rival.
Asked how they would handle {sec_item} with {competitor}; {first} didn't know. Question planted.
{competitor} came up in passing. They looked at it last year and it couldn't handle {weak_area}.
{first} says {competitor} is "fine, just not built for us". Good sign, not a win.
{competitors} reference customers are all much smaller than {account}. Worth pointing out, gently.
Their architect prefers {competitors} deployment model; we need a better story on {weak_area}.

@t_status_quo
No competitor named. The real alternative is building it in-house.
No other vendor in play as far as we know; the risk is that they do nothing.
Asked about other vendors. {first} says they are only talking to us, which I take with some salt.
The competition here is the spreadsheet, and the spreadsheet is free.

@comp_impression
the UI landed well with end users
their {system} connector impressed the architect
it felt scripted, according to {first}
the pricing was aggressive
they skipped the security section entirely

@comp_position
the CFO's preferred option
the safe choice in IT's eyes
mostly a stalking horse to push our price down
a real threat with the business team

@comp_promise
a free first year
a native {system} connector by {quarter}
hosting in {region_dc}, which I don't think they have yet
unlimited sandboxes

@weak_area
their data volume
SCIM
data residency
approval workflows
multi-region deployments

@differentiator
native SCIM and audit logs out of the box
a faster migration path
the {system} integration without professional services
better reporting for the ops team
hosting in {region_dc}
a shorter time to value

# ---- risk signals ----------------------------------------------------------------------
@t_risk
{risk_tag} budget freeze announced company-wide. {first} thinks this project survives it; I'm less
    sure.
{risk_tag} our champion on the ops side has left the company. {first} is helpful but has no budget.
{risk_tag} timeline slip, with signature now {slip} later than planned.
{risk_tag} reorg in their IT organisation. The project now reports to a new VP we have not met.
{risk_tag} the security objection is still open: {sec_objection}.
{risk_tag} no reply for two weeks since the proposal went out.
{risk_tag} legal review is eating the quarter and this could slip into the next one.
{risk_tag} the economic buyer has not joined a single meeting.
{risk_tag} a new CFO wants to review every software purchase over ${n_k}k.
{risk_tag} scope keeps growing; every call adds another must-have.
{risk_tag} {first} goes on leave for a month and nobody is covering.
{risk_tag} their priorities shifted to {distraction} and this project fell down the list.
{risk_tag} rep and SE heard different timelines: {rep} says {month}, I heard next year.

@risk_tag
Risk:
Flagging:
Heads-up:
Concern:
Red flag:
Risk to the forecast:

@distraction
an acquisition
a data-centre move
a failed audit elsewhere
a big customer escalation
the ERP upgrade

# ---- commitments -----------------------------------------------------------------------
@t_commit
{we_owner} {action_ours} {due}.
{we_owner} {action_ours} {due}; {first} will {action_theirs} {due}.
{colleague} to {action_ours} {due}.
{first} to {action_theirs} {due}.
Promised {first} that we'd {action_ours} {due}.
{first} promised to {action_theirs} {due}, and we'll {action_ours} once that lands.
Action on me: {action_ours} {due}.
{author} to {action_ours} {due}.
Commitments: we {action_ours} {due}, they {action_theirs} {due}.
Said we would {action_ours} {due}. Keeping that one.

@we_owner
I'll
We will
{colleague} will
{rep} will
We'll

@action_ours
send the SOC 2 report
set up the sandbox
share the pen test summary
send the revised quote
write up the POC success criteria
get an answer from product on {feature}
send the API docs and a Postman collection
book the architecture workshop
send a draft migration plan
finish the security questionnaire
line up two reference customers in their industry
send the recording and slides
confirm the data residency options in writing
send a mutual action plan
send the CVE assessment in writing
set up SSO in the sandbox against their {idp} test tenant

@action_theirs
send a sample export from {legacy}
confirm who owns the budget
get us a test tenant in {idp}
share their security questionnaire
book time with the economic buyer
send the list of must-have integrations
confirm the POC success criteria
introduce us to procurement
send over their MSA
get the firewall rules opened for the POC
send the org chart for the project

# ---- product gaps ----------------------------------------------------------------------
@t_feature
They asked whether we support {feature}. Told them it is on the roadmap for {quarter}.
Asked if {product} has {feature}. It doesn't today; logged it as a gap and made no promises.
Gap: {feature}. Product declined it last quarter, and I told {first} straight. They appreciated
    that.
Feature request: {feature}. No answer from product yet, chasing.
{first} ranked their asks: {feature} first, {feature} second. Logged both with the deal size.
Does {product} do {feature}? Partly, with a workaround through the API. They can live with it for
    now.
{^feature} came up again. Third customer this month; logged it with the revenue attached.
Told them {feature} is committed for the {month} release.
{first} asked for {feature}. Declined: it's not where the product is going, better said now.
Product gap: {feature}. {first} says it's a must-have for {segment} and a nice-to-have elsewhere.
They want {feature}. I said "maybe", which I shouldn't have; owe them a real answer {due}.
Asked about {feature}; it ships in {quarter} behind a feature flag, so they could try it in the POC.

# ---- next steps ------------------------------------------------------------------------
@t_next
Next steps: {next_step}, then {next_step}.
Next: {next_step}.
Agreed next step is {next_step}.
Follow-up booked for {weekday}: {next_step}.
We left it at {next_step}; {first} will confirm a date.
Next steps are on the mutual action plan: {next_step} and {next_step}.
[Nothing booked yet|No date yet|Nothing in the calendar yet]. Proposed {next_step}; {first} will
    come back to us.

@t_rollout
Kickoff with customer success is booked for {weekday}; {cname} from PS leads the implementation.
Handover to CS done: stakeholders, success criteria, and the open product gaps they care about.
First milestone, owned by {cname} in PS: SSO against {idp} and the {system} integration live by
    {day_num} {month}.
Implementation plan agreed with {first}: pilot with {audience}, then everyone in {quarter}.
Rollout risk is the {system} integration; asked PS to staff it from day one.
{first} wants a weekly status call during rollout. Set it up for {weekday}s.

# ---- internal --------------------------------------------------------------------------
@t_internal
Handoff: {colleague} takes over the technical side from {weekday}. Briefed them on {handoff_topic}.
Internal sync with {rep}: we heard different things on timing. {^rep_view}.
Feedback for {rep}: {feedback_rep}.
Feedback from {rep} for me: {feedback_se}.
Deal review: {deal_review}.
Forecast: {rep} has it as commit; I'd call it best case until security signs off.
Need {colleague} on the {system} piece. It's outside what I know well.
Qualification check with {rep}: {qual}.
Did we hear the same thing? Mostly. {^rep} heard the budget is approved; I heard it's "expected".
Pricing review with deal desk: {deal_desk}.
Updated the meeting planner for the next call: outcomes, stakeholders, and our answer on {sec_item}.
Three circles check: they see us as {circle_view}; we need them to see {circle_want}.

@handoff_topic
the security review status
the {system} integration plan
the open product gaps
who the real decision maker is
the POC success criteria

@rep_view
{rep} thinks it closes in {month}, I think next quarter
{rep} heard a signature date, I heard a budget request
{rep} sees a champion in {first}; I see a friendly coach with no power

@feedback_rep
let me take the technical questions instead of promising dates
you discounted before they asked
great job getting the CFO into the room
on security we spent twenty minutes on our weaknesses; let's lead with what we do well
the agenda went out late, so half the room had not read it

@feedback_se
too deep on the admin console for a business audience
the security answers were crisp, keep doing that
slow down on the architecture diagram
tie the demo back to their pain in the first five minutes
you answered questions nobody asked

@deal_review
the manager wants a second thread above {first}
qualified on three of the 4½ things, and budget is the soft one
the POC scope is too broad; cut it to the three criteria that matter
good deal, wrong quarter

@deal_desk
{discount}% approved for a three-year term
no discount without a multi-year commitment
ramp deal approved, full price from year two

@circle_view
a reporting tool
a cheaper version of {system}
a security product
just another vendor

@circle_want
a way to close the month in a day
the platform for their launch in {region}
the fix for their access problem
the platform behind their partner program

# ---- out-of-band requests --------------------------------------------------------------
@t_oob
Pulled off {account} prep for {n_hours} hours to help {oob_source} with {oob_issue}.
{^oob_source} asked for help with {oob_issue} by {weekday}. Said yes; it's the third one this month.
Out-of-band: {oob_source} needed help with {oob_issue}. [Not my account, but nobody else knew
    how|Not my account; nobody else had done it before].
Logged {n_hours} hours on {oob_issue} for {oob_source}. [This belongs in the support engineering
    queue|Support engineering should own this|Should have gone to the support queue].
Another request from {oob_source}: {oob_issue}. [Asked my manager to route these elsewhere|Raised
    it with my manager|Did it, but this needs a proper queue].
Spent the afternoon on {oob_issue} for {oob_source}[. The customer-facing work waited|].
{^oob_source} pinged me directly ("yt?") about {oob_issue}. Took {n_hours} hours in the end.
Helped {oob_source} with {oob_issue}[. Quick win, but it should not need an SE|].
The ask from {oob_source} was {oob_issue}; it turned into {n_hours} hours of work.
{^oob_source} escalated {oob_issue} straight to me instead of going through the queue.
Request: {oob_issue}. Requester: {oob_source}. Time: about {n_hours} hours.
Was asked to cover {oob_issue} for {oob_source} because the usual person is out.

@t_oob_after
Told {oob_source} I'd need a ticket next time.
My manager knows; we'll see if it sticks.
Writing up the fix so support can do it without me next time.
That is {n_hours_month} hours of out-of-band work this month.
The {account} follow-up slipped a day because of it.
Fair ask, wrong person; there should be a rota for this.
It was useful in the end: I learned how {system} sync failures look from the support side.
Nobody else on the team had touched this before, which is the real problem.
Flagged it in the team channel so it is counted.

@n_hours_month
eleven
fourteen
twenty
almost thirty

# ---- outcomes --------------------------------------------------------------------------
@win_main
Won on the POC: {poc_win}.
{first} championed it internally and got the CFO comfortable with a three-year term.
Security was the decider: {sec_win}.
The migration plan took the risk out of the cutover; nobody else offered a dry run.
Date-related motivation did the work: {date_driver}, and we were the only option ready in time.
We tied the project to the business issue early ({pain_short}) and kept that thread all the way.
The {system} integration worked out of the box, which saved them a services project.
A reference call with a customer in their industry sealed it.
We were multi-threaded: the economic buyer, IT and the end users were aligned before the proposal.
The answer on {sec_item} closed the security review in a week, and the rest followed.
Price was not the issue; {differentiator} was what they were buying.
Strong champion in {first}, a real deadline ({date_driver}) and budget confirmed early.
They trusted the plan: a scoped POC with written success criteria, then a fast rollout.

@win_comp
Beat {competitor} on {differentiator}.
{competitor} was cheaper, but {differentiator} carried the decision.
Won against {competitor}: they could not show {weak_area} working, and we could.

@win_extra
What helped most: {win_helped}.
{first} said the deciding moment was {decider}.

@poc_win
every success criterion was met a week early
the import of {n_records} records ran in {n_min} minutes
their users kept using the sandbox after the POC ended
the {system} sync worked both ways on day two

@sec_win
SCIM and audit logs passed their review first time
the SOC 2 report and the pen test summary closed every open question
hosting in {region_dc} met their residency requirement

@win_helped
a written mutual action plan
getting the CISO involved in week one
a crisp business case from {rep}
answering every product gap with a real yes or no

@decider
the demo on their own data
the security workshop
the reference call
the POC readout

@loss_main
Lost on price; the business case wasn't strong enough to justify the premium.
Budget freeze after the reorg; the project is shelved until next fiscal year.
No decision: our champion left and nobody picked the project up.
Security review failed on {sec_objection}, and the CISO would not sign without a fix.
The timeline slipped past their deadline and they extended the legacy contract instead.
They decided to build it in-house with their platform team.
Product gap: {feature} was a must-have and all we could offer was a roadmap date.
Hosting in {region_dc} wasn't available, and their legal team would not budge on data residency.
We never reached the economic buyer; the deal died in IT.
The project lost its sponsor in a reorg and was folded into a wider {system} programme.
They went with the vendor already in their {system} contract, bundled at a discount.
{first} says the budget went to {distraction} instead.
Lost at the last step: the CFO would not sign a {n_years_term}-year term, and a shorter one did not
    fit our pricing.
Our POC missed {criteria}, and that was their top criterion.
{first} could not get the {dept} budget released before their fiscal year ended in {month}.
Their {eng_role} vetoed it over the {system} integration; too much custom work, in their view.
The economic buyer picked the option that needed no migration from {legacy}.
They chose to stay on {legacy} for another year; the switching cost looked too high.
Lost in procurement: their legal team would not accept our liability cap.
Scope grew until the price no longer fit the budget.

@loss_comp
Lost to {competitor} on price; they came in well under us and procurement would not move.
Lost to {competitor}: their {system} connector was already in place and switching cost decided it.
{competitor} won on relationships; their exec sponsor has known the CIO for years.
Lost to {competitor}, who promised {comp_promise}.
{competitor} was the incumbent and the evaluation never got past "good enough".

@loss_extra
In hindsight, {hindsight}.
Lesson: {hindsight}.
{first} was kind about it and wants to stay in touch for {quarter}.
Worth a call in {month} when their priorities settle.

@hindsight
we should have qualified the budget earlier
we spent too long on the demo and not enough on the business case
the POC had no agreed success criteria
we were single-threaded through {first}
we let a product gap sit at "maybe" for two months
we never tested the date-related motivation
"""
