"""The five CEHRS domains and their task areas: the one definition the whole app reads.

Weights and numbering follow NHA's CEHRS test plan (in force since 2020-06-17).
Task areas are reconstructed from public sources, not NHA text (docs/deck-coverage.md).
"""

from __future__ import annotations

from dataclasses import dataclass

UNASSIGNED = 0
"""Domain id of a card not yet mapped to a CEHRS domain (e.g. fresh from an import)."""

SCORED_ITEMS = 100
PRETEST_ITEMS = 25
EXAM_MINUTES = 125
PASSING_SCALED = 390
SCALED_MIN = 200
SCALED_MAX = 500


@dataclass(frozen=True)
class Domain:
    id: int
    name: str
    weight: float
    scored_items: int

    @property
    def key(self) -> str:
        """String key used in JSON output ("1".."5")."""
        return str(self.id)


DOMAINS: tuple[Domain, ...] = (
    Domain(1, "Non-Clinical Operations", 0.28, 28),
    Domain(2, "Clinical Operations", 0.32, 32),
    Domain(3, "Revenue Cycle/Finance", 0.15, 15),
    Domain(4, "Regulatory Compliance", 0.15, 15),
    Domain(5, "Reporting", 0.10, 10),
)
DOMAIN_BY_ID: dict[int, Domain] = {d.id: d for d in DOMAINS}
DOMAIN_IDS: tuple[int, ...] = tuple(d.id for d in DOMAINS)


def domain_name(domain_id: int) -> str:
    """Display name of a domain id, "Unassigned" for 0."""
    if domain_id == UNASSIGNED:
        return "Unassigned"
    return DOMAIN_BY_ID[domain_id].name


def domain_key(domain_id: int) -> str:
    """JSON key of a domain id: "1".."5" or "unassigned"."""
    return "unassigned" if domain_id == UNASSIGNED else str(domain_id)


def parse_domain(text: str) -> int | None:
    """Domain id from "3", "d3", "domain 3", a name or a unique name prefix; None if unknown."""
    t = text.strip().lower()
    if t == "unassigned":
        return UNASSIGNED
    digits = t.removeprefix("domain").removeprefix("d").strip(" :")
    if digits.isdigit():
        n = int(digits)
        return n if n in DOMAIN_BY_ID or n == UNASSIGNED else None
    hits = [d.id for d in DOMAINS if d.name.lower().startswith(t)] if t else []
    return hits[0] if len(hits) == 1 else None


@dataclass(frozen=True)
class TaskArea:
    id: str
    domain: int
    name: str


_TASKS: dict[int, list[tuple[str, str]]] = {
    1: [
        ("registration", "Registration and demographics"),
        ("scheduling", "Scheduling"),
        ("eligibility", "Insurance eligibility"),
        ("checkin", "Check-in and check-out"),
        ("portal", "Patient portal access"),
        ("records", "Managing records and the master patient index"),
        ("roi", "Release of information"),
        ("data-quality", "Data-entry quality checks and reconciling discrepancies"),
        ("templates", "Templates, forms, alerts and reminders"),
        ("hardware", "EHR hardware inventory"),
        ("data-sources", "Pulling data from internal, external sources and devices"),
        ("patient-flow", "Patient flow"),
        ("training", "End-user training"),
        ("updates", "Announcing updates and workflow changes"),
        ("multi-ehr", "Supporting more than one EHR and interfaces"),
    ],
    2: [
        ("documentation", "Clinical documentation (CC, HPI, ROS, exam, A/P, notes)"),
        ("cpoe", "CPOE and clinical decision support"),
        ("orders-results", "Lab, imaging and referral orders and results"),
        ("medications", "E-prescribing, medication reconciliation, alerts, PDMP"),
        ("nursing", "Nursing documentation and care plans"),
        ("point-of-care", "Point-of-care support"),
        ("hie", "HIE, secure transmission and continuity-of-care documents"),
        ("standards", "Clinical code systems and interoperability standards"),
        ("templates", "Templates by diagnosis or procedure"),
        ("education", "Patient-education material"),
        ("completeness", "Reviewing documentation for completeness and integrity"),
    ],
    3: [
        ("icd", "ICD-10-CM and ICD-10-PCS look-up"),
        ("cpt-hcpcs", "CPT and HCPCS look-up"),
        ("modifiers", "Modifiers"),
        ("charge-capture", "Superbills and charge capture"),
        ("billing-docs", "Documentation supporting billing"),
        ("claims", "Claims and claim forms"),
        ("remittance", "Remittances (ERA/EOB)"),
        ("denials", "Denials and appeals"),
        ("payers", "Payer rules, Medicare/Medicaid, prior authorization"),
        ("patient-payments", "Estimates, statements and payment posting"),
    ],
    4: [
        ("privacy", "HIPAA Privacy Rule"),
        ("security", "HIPAA Security Rule"),
        ("breach", "Breach notification"),
        ("patient-rights", "Patient rights"),
        ("minimum-necessary", "Minimum necessary"),
        ("hitech", "HITECH and the Cures Act"),
        ("deidentification", "De-identification"),
        ("access-control", "Role-based access and passwords"),
        ("professional", "Professional standards and Do Not Use abbreviations"),
        ("fraud-abuse", "Fraud and abuse laws"),
        ("audit", "Audits and audit trails"),
        ("risk", "Risk assessment and incident response"),
        ("contingency", "Downtime, backup and continuity"),
        ("pi-mips", "Promoting Interoperability and MIPS"),
    ],
    5: [
        ("financial-reports", "A/R aging, payer, guarantor, RVU and cost reports"),
        ("ad-hoc", "Standard and ad hoc reports"),
        ("clinical-reports", "Reports by diagnosis, procedure and provider"),
        ("outcomes", "Outcomes reporting"),
        ("quality-measures", "Clinical quality measures"),
        ("productivity", "Productivity reports"),
        ("statistics", "Healthcare statistics (ALOS, occupancy)"),
        ("external", "External reporting: registries and public health"),
        ("accuracy", "Checking report accuracy"),
        ("data-mining", "Data mining"),
    ],
}

TASK_AREAS: tuple[TaskArea, ...] = tuple(
    TaskArea(f"{dom}.{slug}", dom, name) for dom, rows in _TASKS.items() for slug, name in rows
)
TASK_AREA_BY_ID: dict[str, TaskArea] = {t.id: t for t in TASK_AREAS}


def task_areas_of(domain_id: int) -> tuple[TaskArea, ...]:
    """Task areas of one domain, in definition order."""
    return tuple(t for t in TASK_AREAS if t.domain == domain_id)
