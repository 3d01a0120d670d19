"""Shared slot fillers: people, systems, dates, numbers and the small nouns of SE work."""

_MONTHS = "January February March April May June July August September October November December"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


GENERATED = "\n".join(
    [
        "@month",
        *_MONTHS.split(),
        "@day_num",
        *(str(day) for day in range(1, 29)),
        "@ordinal",
        *(_ordinal(day) for day in range(1, 29)),
    ]
)

RULES = """
# ---- people ---------------------------------------------------------------------------
@colleague
{cname}
{cname}
{cname}
{cname} from PS
{cname} on the security team
{cname} (solutions architect)

@rep
the AE
our AE
the rep
the account exec

@title_ref
the {title}
{first} ({title})
{contact}
{first}

@eng_role
integration lead
lead architect
platform team
head of data engineering
senior developer
middleware team
enterprise architect

@audience
end users
IT
operations managers
security
finance
team leads

@dept
IT
operations
finance
security
digital
customer success

# ---- systems and places ----------------------------------------------------------------
@system
Salesforce
SAP
NetSuite
Workday
ServiceNow
Snowflake
HubSpot
Dynamics 365
Jira
Zendesk
Oracle EBS
BigQuery

@idp
Okta
Azure AD
Entra ID
Ping
OneLogin
Google Workspace

@legacy
the legacy platform
their current tool
a patchwork of spreadsheets
an on-prem Oracle app
a homegrown PHP app
the system they bought a decade ago
an old Access database
their outgoing vendor's platform

@siem
Splunk
Sentinel
their SIEM
Datadog
an S3 bucket they own

@region_dc
the EU
Germany
the UK
Canada
Australia
Switzerland
the US

@region
the Nordics
DACH
Latin America
the UK
Southeast Asia
North America
France and Benelux

@segment
small businesses
mid-market accounts
healthcare providers
public-sector buyers
franchise owners
enterprise customers
resellers

# ---- dates -----------------------------------------------------------------------------
@weekday
Monday
Tuesday
Wednesday
Thursday
Friday

@quarter
Q1
Q2
Q3
Q4
next quarter
the second half of the year

@due
by Friday
by {weekday}
by {weekday}
by end of day {weekday}
by {day_num} {month}
by {day_num} {month}
by the {ordinal}
by end of next week
by end of the week
by end of month
before the next call on {weekday}
by tomorrow morning
by {weekday} next week
before {weekday}'s steering meeting
by the {ordinal} of {month}

@due_short
by Fri
by {weekday}
by EOW
by EOD
by {day_num} {month}
by the {ordinal}
by next {weekday}
before next call

@slip
a month
six weeks
a full quarter
two weeks, again

# ---- numbers ---------------------------------------------------------------------------
@n_days
four
six
eight
ten
twelve

@n_weeks
three
four
six
eight

@n_hours
two
three
four
six

@n_hours_short
2h
3h
4h
6h
90 min

@n_people
five
eight
a dozen
six
twenty

@n_fte
two
three
four
five

@n_team
ten
fifteen
twenty
forty

@n_systems
three
four
five
seven

@n_years
two
three
five
seven

@pct
12
18
25
30
40

@discount
15
20
25
30

@n_k
50
100
150
250
500

@n_users
800
2,000
5,000
12,000
40,000

@n_records
400k
2 million
about 12 million
1.5M
just under 900k
30 million

@n_min
12
25
40
48

@n_q
240
180
300-odd
about 90

@n_seats
250
600
1,200
3,000

@score
five of six
four of five
seven of eight
three of four

# ---- product nouns ---------------------------------------------------------------------
@sec_item
SSO via SAML
SCIM provisioning
audit log export
role-based access control
the latest pen test
CVE response times
encryption at rest
key management
session timeouts
IP allow-listing
MFA enforcement
data retention controls
admin access reviews
secrets handling in the {product} agent

@sec_objection
no SCIM group push
our US sub-processor for support tooling
the medium finding in our last pen test
no support for two IdPs at once
audit logs that don't capture read access
no customer-managed keys

@feature
SCIM group push
field-level audit history
a Snowflake connector
custom roles per business unit
offline mode on mobile
multi-currency reporting
a bulk update API
EU-only hosting for backups
a read-only auditor role
scheduled PDF exports
sandbox refresh from production
per-tenant encryption keys
webhook retries with a dead-letter queue
SAML with more than one IdP
approvals with delegation
right-to-left language support
a Terraform provider
an on-prem deployment option

@demo_part
the approvals workflow
the reporting dashboards
the admin console
bulk import
the audit log view
the {system} integration
role setup
the mobile app
the self-service portal

@next_step
a technical deep-dive with their architects
a scoped POC
a pricing review with {rep}
a workshop on the {system} integration
an intro to the economic buyer
a security review with their team
a reference call with a customer in their industry
a wider demo for {audience}
a call with procurement
a migration planning session

@oob_source
support
marketing
customer success
a rep in another region
the partner team
product management
the renewals team

@oob_issue
a customer's SSO config
a broken demo environment
an RFP for a deal I'm not on
a webinar demo build
a sync bug in the {system} connector
a security questionnaire for a renewal
a product video for the launch
a partner training session
a trade-show booth shift
a customer's failing SCIM sync
a competitive battlecard refresh
a customer's slow reports after an upgrade
"""
