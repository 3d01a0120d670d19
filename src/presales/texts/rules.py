"""Rules that label a text without a model: flavor, product gaps, competitors, risks and
commitments. Pure functions of the text, its date and the competitor list, so they can be
evaluated offline (``presales eval-text``). Corrections refine them (services.labelling)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Something the customer has and does not want: pain, failure, cost, risk, deadline forced on them.
PROBLEM = _rx(
    r"\boutages?\b",
    r"\bdown ?time\b",
    r"\bbreach",
    r"\bbroke(n)?\b",
    r"\bfail(s|ed|ing|ures?)?\b",
    r"\bcrash",
    r"\bslow(er|ness)?\b",
    r"\bpain(ful| points?)?\b",
    r"\bfrustrat",
    r"\bcomplain",
    r"\bincidents?\b",
    r"\bmanual(ly)?\b",
    r"\bspreadsheets?\b",
    r"\bstruggl",
    r"\berrors?\b",
    r"\bchurn",
    r"\btoo (expensive|costly|slow)",
    r"\bcosts? (are|is|keep) (rising|going up|too high|out of control)",
    r"\blegacy\b",
    r"\bend[- ]of[- ](life|support)\b",
    r"\baudit (finding|failure)s?\b",
    r"\bfines?\b",
    r"\bpenalt",
    r"\bbacklog\b",
    r"\bcan(?:'|no)t keep up\b",
    r"\bfire ?fight",
    r"\bbottleneck",
    r"\bunreliable\b",
    r"\bescalat",
    r"\bfix\b",
    r"\breplace\b",
    r"\bstop (losing|wasting|bleeding)",
    r"\blos(e|ing) (customers|money|data|deals)",
    r"\bwast(e|ing)\b",
    r"\bnightmare\b",
    r"\bkeeps? (breaking|failing|going down|losing)",
    r"\bwrong\b",
    r"\bmistakes?\b",
    r"\bstale\b",
    r"\bmess\b",
    r"\bby hand\b",
    r"\bon paper\b",
    r"\b(spend|spends|waste|wastes|lose|loses) (hours|days|half|a day|weeks)",
    r"\bchasing\b",
    r"\b(falls? over|goes down|go down|times? out)\b",
    r"\bfed up\b",
    r"\btrapped\b",
    r"\bgive up\b",
    r"\bcomplaints?\b",
    r"\blos(e|es|ing) (orders|context|track)",
    r"\bnever (tested|works?|updated)",
    r"\bcan(no|')t (see|find|read|model|keep|tell|say)",
    r"\bno (workflow|visibility|one knows|single)\b",
    r"\bnobody (knows|can)",
    r"\b(re-?enter|re-?type|copy) ",
    r"\b(wait|waits|waiting) (\w+ )?(minutes|hours|days|weeks)",
    r"\blate\b",
    r"\bdoubl(ed|e-book)",
    r"\bscramble",
)
# Something the customer wants and does not have: growth, launch, new capability, ambition.
OPPORTUNITY = _rx(
    r"\bexpan(d|sion)",
    r"\bgrow(th|ing)?\b",
    r"\bnew (market|region|line of business|product|service|revenue|channel)",
    r"\blaunch",
    r"\binitiative\b",
    r"\btransform",
    r"\bmoderni[sz]",
    r"\binnovat",
    r"\bambitio",
    r"\bvision\b",
    r"\bstrategic\b",
    r"\bwant(s)? to (offer|build|enter|become|start|create|launch|add|scale)",
    r"\bscal(e|ing) (up|out)\b",
    r"\bacquisition\b",
    r"\bdifferentiat",
    r"\bcompetitive (edge|advantage)",
    r"\bunlock",
    r"\bself[- ]service\b",
    r"\bpersonali[sz]",
    r"\bnew (customers|segment)",
    r"\bupsell|cross[- ]sell",
    r"\bopportunity to\b",
    r"\bgreenfield\b",
    r"\bplans? to (build|open|enter|launch|create|offer|sell|grow|expand)",
    r"\bwants? to (sell|turn|become|use|open|build|give|create|offer|grow|move|expand|"
    r"pilot|launch|monetise|monetize|differentiate|enter)",
    r"\bwould (love|like) to\b",
    r"\bdreams? of\b",
    r"\bexcited about\b",
    r"\bopening (a |an )?(new|second|third)",
    r"\bopen \w+ new\b",
    r"\benter (the|a|new)\b",
    r"\bnew (strategy|stores?|line|programme|program|service)\b",
    r"\bmore (cities|countries|stores|markets)\b",
    r"\brevenue line\b",
    r"\bpremium\b",
    r"\bmarketplace\b",
    r"\bmove upmarket\b",
    r"\bchance to\b",
)
PRODUCT_GAP = _rx(
    r"\bfeature requests?\b",
    r"\bdo(es)?(n't| not) (support|have|offer|handle|integrate)",
    r"\bno (native )?(support|connector|integration|api|option) (for|to|with)\b",
    r"\bnot supported\b",
    r"\black(s|ing)? (of )?(a |an |native |support)",
    r"\bmissing\b",
    r"\bgaps?\b",
    r"\basked (whether|if) (we|our (product|platform|tool))",
    r"\b(can|could|does) (we|our (product|platform|tool)) (support|handle|do|export|import|"
    r"integrate|connect)",
    r"\bwe (can't|cannot|don't|do not) (yet )?(support|do|offer|handle|export|import)",
    r"\bnot (yet )?on (the|our) roadmap\b",
    r"\broadmap\b",
    r"\bwish(ed|es)? (we|it|the product) (had|could|would)",
    r"\bwould need (a|an|us to build)\b",
    r"\bneeds? (a|an) (connector|integration|plugin|api)\b",
    r"\bworkaround\b",
    r"\b(dealbreaker|deal breaker|must[- ]have)\b",
    r"\benhancement request",
    r"\b(which |that )?(we|our product|our platform|the product) (lacks?|lacking)\b",
    r"\black(s)?\b",
    r"\b(and )?it does not( yet)?\b",
    r"\bwe (only|just) (have|keep|offer|support|do)\b",
    r"\bwe (don't|do not) (have|offer)\b",
    r"\bwe have (nothing|no) (comparable|equivalent|answer)",
    r"\basked (if|whether) (we|our)",
    r"\basked for (a|an) ",
    r"\bnot possible in our\b",
)
RISKS: dict[str, re.Pattern[str]] = {
    "budget_freeze": _rx(
        r"\bbudgets? (is |are |was |were |has been |have been |got |getting )?"
        r"(frozen|freeze|cut|slashed|pulled|on hold|gone|reallocated|withdrawn)",
        r"\b(spend(ing)?|hiring|budget|purchasing|procurement) freeze",
        r"\bfr(o|ee)z(e|en|ing) (all |the )?(new )?(spend|budget|purchas|project|discretionary)",
        r"\bno (more )?budget\b",
        r"\b(lost|losing) (their|the|its) budget",
        r"\bcost[- ]cutting\b",
        r"\bcfo (has )?(paused|halted|stopped|blocked)",
        r"\bdefunded\b",
        r"\bfunding (was |has been |is )?(pulled|cut|frozen|withdrawn)",
        r"\b(is|are|was|were|been) frozen\b",
        r"\b(projects?|spend\w*|purchas\w*|orders?) (are |is |were )?(all )?"
        r"(on hold|frozen|paused)",
        r"\bmoney (is |was )?(gone|spent)\b",
        r"\bcan(no|')t get budget",
    ),
    "champion_left": _rx(
        r"\b(champion|sponsor|advocate|main contact|our contact|key contact|ally)\b[^.]{0,60}"
        r"\b(left|leaving|has gone|quit|resigned|departed|moved on|retired|let go|laid off|"
        r"no longer)",
        r"\b(left|leaving|quit|resigned|departed) (the company|the firm|the organi[sz]ation)",
        r"\bno longer (with|at) (the company|them|the firm|the account)",
        r"\blost (our|the) (champion|sponsor|advocate)",
        r"\b(replacement|successor) (for|of) (our|the) (champion|sponsor)",
        r"\bnew (cio|cto|ciso|vp|director|head)\b[^.]{0,40}\b(replac|took over|taking over)",
        r"\b(accepted|took|taken) (a )?(job|role|position|offer) (at|with)\b",
        r"\b(champion|sponsor|advocate|contact)\b[^.]{0,40}\b(transferred|went on leave|"
        r"went on long-term leave|moved to)",
    ),
    "timeline_slip": _rx(
        r"\bslip(s|ped|ping)?\b",
        r"\bpushed (back|out|to|into)\b",
        r"\bpush(ing)? (it |the (date|deal|decision|go-live|project) )?(back|out|to next)",
        r"\bdelay(s|ed|ing)?\b",
        r"\bpostpon",
        r"\bbehind schedule\b",
        r"\blater than (planned|expected)",
        r"\bnot (happening )?this (quarter|year)\b",
        r"\bon hold (until|till)\b",
        r"\bmoved (the )?(go-live|close|decision|deadline|date|kickoff)",
        r"\bkick(ed)? the can\b",
        r"\bdeferred\b",
        r"\bre-?scheduled to (next|q[1-4])",
        r"\bmoved from \w+ to \w+",
        r"\bmoves? to (january|february|march|april|may|june|july|august|september|october|"
        r"november|december|next|q[1-4])",
        r"\b(waits?|wait) (for|until) next (year|quarter)",
        r"\bparked\b",
        r"\bslides? (to|into)\b",
        r"\brevisit (it )?in\b",
        r"\brunning late\b",
        r"\banother (month|quarter|round)\b",
    ),
    "security_objection": _rx(
        r"\bsecurity (review|team|concern|objection|questionnaire|sign-?off|blocker|"
        r"assessment|worries)",
        r"\binfo ?sec\b",
        r"\bciso\b[^.]{0,60}\b(concern|object|block|worr|refus|reject|question|push)",
        r"\b(concern|worr|object|question)[a-z]*\b[^.]{0,60}\b(encryption|data residency|"
        r"soc ?2|iso ?27001|pen(etration)? ?test|gdpr|hipaa|single sign-on|sso|vulnerab)",
        r"\bdata residency\b",
        r"\bvendor risk\b",
        r"\b(failed|did not pass|didn't pass) (the |their )?(security|pen(etration)? test|audit)",
        r"\bwon'?t (allow|approve) (a )?(cloud|saas|third[- ]party)",
        r"\bnot allowed to (send|store|move) data",
        r"\bcompliance (concern|blocker|objection|issue)",
        r"\b(security|compliance|legal|privacy)\b[^.]{0,60}\bobjects? to\b",
        r"\b(security|compliance|legal)\b[^.]{0,80}\b(not happy|unhappy)\b",
        r"\b(insist|insists|require|requires)\b[^.]{0,40}\b(pen(etration)? test|soc ?2|"
        r"iso ?27001)",
        r"\b(gdpr|privacy|security) concerns?\b",
    ),
}
# Security talk that is not an objection: a passed review, a report we simply send.
SECURITY_RESOLVED = _rx(
    r"\b(passed|cleared|approved|signed off|closed out|completed) (the |our |their )?"
    r"(security|infosec|vendor risk)",
    r"\bsecurity (review|team) (passed|approved|signed off|cleared|is happy|was happy)",
)

_WEEKDAYS = {name.lower()[:3]: i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" + (
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri)"
DUE = re.compile(
    r"\b(?:by|before|on|until|no later than|due)?\s*(?:"
    rf"(?P<next>next )?(?:this )?(?P<weekday>{_DAY})\b"
    r"|(?P<tomorrow>tomorrow)"
    r"|(?P<today>today|tonight|eod|end of (?:the )?day|close of business|cob)\b"
    r"|(?P<eow>end of (?:the |this )?week|eow)\b"
    r"|(?P<nextweek>next week)"
    r"|(?P<eom>end of (?:the |this )?month)"
    r"|(?:within|in) (?P<n>\d+|one|two|three|four|five|ten) (?P<unit>(?:business |working )?days?|"
    r"weeks?)"
    rf"|(?P<d1>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<m1>{_MONTH})\b"
    rf"|(?P<m2>{_MONTH}) (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"|(?P<iso>\d{4}-\d{2}-\d{2})"
    r")",
    re.IGNORECASE,
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_ACTION = (
    r"(send|share|provide|deliver|get|schedule|set up|book|prepare|follow up|review|draft|"
    r"write|run|organi[sz]e|arrange|confirm|sign|return|introduce|loop in|update|demo|"
    r"finish|complete|submit|fix|ship|circulate|forward|check|come back)"
)
COMMITMENT = re.compile(
    r"(?P<who>\b(?:[Ww]e|I|[Tt]hey|[Hh]e|[Ss]he|[Tt]he customer|[A-Z][a-z]+(?: [A-Z][a-z]+)?))"
    r"(?: (?:from|on) (?:their|our) side)?"
    r"(?:'ll| will| shall| promised to| committed to| agreed to| is going to| are going to|"
    r" am going to| owes us| owe them| needs? to| has to| have to| to)"
    rf" (?:also |then |personally )?(?P<what>{_ACTION}\b[^.;!?\n]*)",
)
_NOT_WHO = {"it", "this", "that", "there", "what", "who", "which", "when", "then", "if"}


def _resolve_due(match: re.Match[str], written: date) -> date | None:
    g = match.groupdict()
    if g["weekday"]:
        target = _WEEKDAYS[g["weekday"].lower()[:3]]
        ahead = (target - written.weekday()) % 7 or 7
        due = written + timedelta(days=ahead)
        if g["next"] and due.isocalendar()[1] == written.isocalendar()[1]:
            due += timedelta(days=7)
        return due
    if g["tomorrow"]:
        return written + timedelta(days=1)
    if g["today"]:
        return written
    if g["eow"]:
        return written + timedelta(days=max(4 - written.weekday(), 0))
    if g["nextweek"]:
        return written + timedelta(days=7 - written.weekday() + 4)
    if g["eom"]:
        return written.replace(day=calendar.monthrange(written.year, written.month)[1])
    if g["n"]:
        n = _NUMBERS.get(g["n"].lower()) or int(g["n"])
        unit = g["unit"].lower()
        if unit.startswith("week"):
            return written + timedelta(weeks=n)
        if unit.startswith(("business", "working")):
            day, left = written, n
            while left:
                day += timedelta(days=1)
                left -= day.weekday() < 5
            return day
        return written + timedelta(days=n)
    if g["iso"]:
        try:
            return date.fromisoformat(g["iso"])
        except ValueError:
            return None
    day_number, month = (g["d1"], g["m1"]) if g["d1"] else (g["d2"], g["m2"])
    if day_number and month:
        try:
            due = date(written.year, _MONTHS[month.lower()[:3]], int(day_number))
        except ValueError:
            return None
        return due if due >= written - timedelta(days=7) else due.replace(year=due.year + 1)
    return None


def commitments(body: str, written: date) -> list[dict[str, Any]]:
    """Promises with a due date: who, what, when (resolved against the text's date)."""
    found: list[dict[str, Any]] = []
    for sentence in re.split(r"(?<=[.!?;\n])\s+", body):
        for match in COMMITMENT.finditer(sentence):
            who = match.group("who")
            if who.lower() in _NOT_WHO:
                continue
            what = match.group("what").strip()
            due_match = DUE.search(what)
            if due_match is None or not due_match.group(0).strip():
                continue
            due = _resolve_due(due_match, written)
            if due is None:
                continue
            what = what[: due_match.start()].strip(" ,") or what
            found.append(
                {
                    "who": "us" if who.lower() in {"we", "i"} else who,
                    "what": what,
                    "due": due.isoformat(),
                    "phrase": match.group(0).strip(),
                }
            )
            break
    return found


def competitors_in(body: str, names: Iterable[str]) -> list[str]:
    found = []
    for name in names:
        if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body, re.IGNORECASE):
            found.append(name)
    return sorted(found)


def flavor(body: str) -> str:
    problem = len(PROBLEM.findall(body))
    opportunity = len(OPPORTUNITY.findall(body))
    if problem == opportunity:
        return "none"
    return "problem" if problem > opportunity else "opportunity"


def predict(body: str, written: date, competitors: Iterable[str] = ()) -> dict[str, Any]:
    """Every label of one text, by the rules alone."""
    body = body.replace("\u2019", "'")
    labels: dict[str, Any] = {
        "flavor": flavor(body),
        "product_gap": "yes" if PRODUCT_GAP.search(body) else "no",
    }
    for name, pattern in RISKS.items():
        labels[name] = "yes" if pattern.search(body) else "no"
    if labels["security_objection"] == "yes" and SECURITY_RESOLVED.search(body):
        labels["security_objection"] = "no"
    labels["competitors"] = competitors_in(body, competitors)
    labels["commitments"] = commitments(body, written)
    return labels
