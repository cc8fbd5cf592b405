"""Hard negatives for the sentence classifier in the register of real documents, written for svmine.

    .venv/bin/python scripts/hard_negatives.py          # rebuilds the hn-* records, re-assigns splits

Real board minutes, meeting transcripts, annual reports, health strategies, workforce papers and
commissioning policies use the lever words (contract, commission, employ, recruit, spend, procure,
carbon, estates) all the time without any local-benefit aim; the first model read many of them
as implicit social value. These sentences are composed from phrase lists written for this project
(nothing copied from a document) and all labelled ``other``. Ids are ``hn-NNNN``; the split comes
from :func:`svmine.detect.training.assign_splits`, like every other record.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from svmine.detect.training import assign_splits, load_annotations  # noqa: E402

PATH = ROOT / "annotations" / "sentences.jsonl"
STAFF = ["resident doctors", "theatre nurses", "healthcare support workers", "band 5 physiotherapists",
         "consultant radiologists", "community midwives", "pharmacy technicians", "band 7 ward managers",
         "specialty doctors", "health visitors", "paramedics", "clinical coders"]
CONTRACTS = ["the national terms and conditions", "the 2016 junior doctors contract", "their contract of employment",
             "the Agenda for Change handbook", "the consultant contract", "the locally agreed rota rules"]
SERVICES = ["the community dermatology service", "adult hearing aids", "the out-of-hours GP service",
            "specialist fertility treatment", "the stroke rehabilitation pathway", "the diabetic eye screening programme",
            "bariatric surgery", "the wheelchair service", "children's speech and language therapy",
            "the minor injuries unit", "non-emergency patient transport", "the musculoskeletal triage service"]
REPORTS = ["the waiver of standing orders report", "the procurement compliance update", "the contract register",
           "the capital programme report", "the estates backlog maintenance paper", "the agency spend dashboard",
           "the recruitment and retention report", "the Green Plan progress report", "the medical job planning audit",
           "the losses and special payments schedule", "the cost improvement programme tracker",
           "the annual emergency preparedness self-assessment"]
ACTIONS = ["noted", "received and noted", "approved", "discussed", "asked for more detail on", "took assurance from",
           "deferred a decision on", "welcomed"]
MONTHS = ["April", "June", "September", "November", "January", "March"]
TEMPLATES = [
    "The Board {action} {report} and asked for an update at its next meeting.",
    "The Committee {action} {report}, noting that no new risks had been identified.",
    "Work schedules for {staff} include the rest periods and breaks required under {contract}.",
    "Rotas for {staff} were redesigned so that nobody works more than the hours allowed by {contract}.",
    "The Trust employs around {n} {staff}, most of them on permanent contracts.",
    "Recruitment to {n} vacant posts for {staff} was completed in {month}, reducing reliance on bank shifts.",
    "Sickness absence among {staff} rose to {p}% in {month}, above the organisation's target.",
    "Job plans for {staff} are reviewed every year with the clinical director.",
    "The ICB commissions {service} from a single provider under a five-year contract.",
    "Requests for {service} outside the commissioning policy go to the individual funding request panel.",
    "The contract for {service} was extended by twelve months while the service review is completed.",
    "Providers must submit activity data for {service} every month as set out in the standard contract.",
    "The tender for {service} attracted {k} bids and was awarded on quality and price.",
    "Spending on {item} rose by {p}% compared with the previous year.",
    "We spent £{m} million on {item} during the year, within the agreed budget.",
    "The procurement team renegotiated the contract for {item}, saving £{k}00,000 a year.",
    "Purchases of {item} are made through the national framework to secure the best price.",
    "Capital was spent on {item} and on replacing ageing equipment in theatres.",
    "The Trust reduced the carbon emissions of its own buildings by {p}% by {measure}.",
    "Our Green Plan commits us to {measure} across the hospital estate by 2030.",
    "The estates team completed {measure} at the main hospital site during the year.",
    "Um, so from a {topic} point of view we've been, you know, looking at the numbers again and we'll bring that back.",
    "I think the, uh, the pressure on {topic} is still there and we're working through it with colleagues.",
    "Thank you, chair, I just wanted to ask about {topic} and what the timescales look like now.",
    "So the question is really about {topic} and whether the board is assured on that.",
    "Patients waiting for {service} will be offered an appointment within eighteen weeks.",
    "The strategy sets out how we will improve access to {service} for people in every part of the city.",
    "People who spend long periods in hospital are more likely to lose their independence.",
    "Income from the contract with the commissioner is recognised as the services are delivered.",
    "An asset is recognised when it is probable that future economic benefits will flow to the Trust.",
    "The national purchasing organisation buys {item} in bulk so that trusts pay less than they would alone.",
    "Savings from the national purchasing framework are tracked every quarter and reported to the {committee}.",
    "As a commissioner our job is to contract for services, so we rarely buy {item} directly.",
    "Um, so the savings from the supply chain this quarter were, you know, about £{m} million.",
    "Every organisation must set aside {p}% of its budget for one-off investment in service change.",
    "Staff facing redundancy can use outplacement support such as CV writing and interview coaching.",
    "Many colleagues are worried about whether they will still have a job once the restructure is complete.",
    "Applicants for any post in the ICB must declare relevant interests as part of recruitment.",
    "The NHS helps the economy grow by keeping people healthy enough to stay in work.",
    "We will work with employers, businesses and local councils to build a healthier country.",
    "Systems are asked to review how much they spend on corporate and back-office staff.",
    "A new contract will let GP practices work together across larger areas.",
    "Block contracts will be replaced by payments linked to the activity each provider delivers.",
    "The {committee} heard that agency spend remains above the cap set by the regulator.",
    "Suppliers of {item} were asked to confirm delivery dates during the national shortage.",
    "The procurement team won a regional award for the quality of its customer service.",
    "Invoices from suppliers were paid within thirty days in {p}0% of cases, in line with the national code.",
    "The {committee} approved the business case to buy {item} through a three-year framework agreement.",
    "Commissioners and providers will agree activity plans before contracts are signed in March.",
    "The trust's {committee} reviewed the register of contracts due to expire in the next year.",
    "Employer pension contributions rose to {k}3.7% of pensionable pay this year.",
    "Staff employed on fixed-term contracts were offered permanent posts after the review.",
    "Exit interviews show that {staff} leave mainly because of workload and rotas.",
    "Our estates strategy sets out how we will replace buildings that are no longer fit for patient care.",
    "The new hospital building is due to open in {month} after delays to the national programme.",
    "Money we spend on temporary staff is money we cannot spend on patient care.",
    "The ICB will commission the service from April and publish a new specification.",
    "Providers should use the standard contract's quality schedule to report on outcomes.",
    "The regulator may inspect any service it registers, whoever provides it.",
    "Using one national supply chain lets trusts standardise {item} across sites.",
    "The supply chain organisation handles ordering and delivery of {item} for hospitals in England.",
    "Um, and a single supply chain also helps with, uh, safety because staff only learn one product.",
    "So the first part of the answer is about how the ICB uses the supply chain, and then how the trusts use it.",
    "The regional supply chain board monitors savings and the barriers to using the national catalogue.",
    "Stock shortages in the supply chain delayed the delivery of {item} for two weeks.",
    "Consumables and devices are covered by our contracts with providers rather than bought by the ICB.",
    "Organisations will keep a share of their annual budget for one-off investment in new technology.",
    "Multi-year budgets will let trusts plan spending on {item} over three years.",
    "Staff worried about their employment during the restructure can use the wellbeing service.",
    "The Plan expects hospitals to take a smaller share of total spending over the next decade.",
    "Um, so we're, we're really conscious that people are anxious about their jobs at the moment.",
    "The ICB will make sure the new services are built into medium-term plans and contracts.",
    "Plans should show how providers will reduce spending on {item} while protecting quality.",
    "The board agreed to buy {item} from the existing supplier for another year to avoid disruption.",
    "The Plan wants the NHS to drive economic growth rather than only benefit from it.",
    "Removing outdated treatments will free up money for investment and help the economy grow.",
    "Staff at risk of redundancy are offered coaching, CV workshops and help with interviews for future roles.",
    "Commissioners should build specialised services into their plans and look for savings across the whole pathway.",
    "Um, it means the work gets better, the way we engage with people, not just for us but for providers across the region.",
    "A healthier workforce means fewer people leave work because of illness, which supports growth.",
    "Investment in new technology should pay for itself through higher productivity within three years.",
    "We will work with businesses, investors and mayors to make the country healthier.",
]
COMMITTEES = ["finance and performance committee", "audit committee", "board", "people committee",
              "quality committee", "business committee"]
ITEMS = ["agency staff", "drugs and medical consumables", "clinical negligence premiums", "IT licences",
         "temporary staffing", "energy and utilities", "maintenance of the estate", "new diagnostic scanners",
         "catering supplies", "pathology reagents", "the electronic patient record", "laundry services"]
MEASURES = ["fitting LED lighting", "replacing the gas boilers with heat pumps", "installing solar panels on the car park",
            "switching to low-carbon anaesthetic gases", "upgrading the insulation of ward blocks",
            "recycling more clinical waste", "buying electric pool vehicles"]
TOPICS = ["agency costs", "the waiting list", "winter planning", "the vacancy rate", "the financial plan",
          "the contract negotiations", "the recruitment freeze", "delayed discharges", "the estates backlog",
          "the redundancy programme", "staff morale", "the new rota"]


def sentences(count: int = 420, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    seen = set()
    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        text = rng.choice(TEMPLATES).format(
            action=rng.choice(ACTIONS), report=rng.choice(REPORTS), staff=rng.choice(STAFF),
            contract=rng.choice(CONTRACTS), service=rng.choice(SERVICES), month=rng.choice(MONTHS),
            n=rng.choice([40, 85, 120, 300, 1200]), p=rng.choice([3, 4.5, 6, 8, 12]), k=rng.choice([2, 3, 5, 7]),
            m=rng.choice([1.2, 4, 9.5, 23]), item=rng.choice(ITEMS), measure=rng.choice(MEASURES),
            topic=rng.choice(TOPICS), committee=rng.choice(COMMITTEES))
        text = text[0].upper() + text[1:]
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main() -> None:
    records = load_annotations(PATH)
    have = {" ".join(r["text"].lower().split()) for r in records if not r["id"].startswith("hn-")}
    records = [r for r in records if not r["id"].startswith("hn-")]  # rebuilt from the phrase lists
    number = 0
    for text in sentences():
        if " ".join(text.lower().split()) not in have:
            number += 1
            records.append({"id": f"hn-{number:04d}", "text": text, "labels": ["other"], "split": "train"})
    splits = assign_splits(records)
    lines = []
    for r in records:
        r["split"] = splits[r["id"]]
        lines.append(json.dumps({k: r[k] for k in ("id", "text", "labels", "split")}, ensure_ascii=False))
    PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{number} hard negatives; {len(records)} sentences in {PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
