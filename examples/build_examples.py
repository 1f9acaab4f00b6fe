"""Rebuild the binary example documents (DOCX proposal, PDF statement of work).

The texts are our own, written to exercise every finding type. Run from the checkout:
`.venv/bin/python examples/build_examples.py` (needs the dev extra for fpdf2).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

PROPOSAL_TITLE = "Service Desk Automation — Proposal for Northwind Health"

PROPOSAL: list[tuple[str, str | list[list[str]]]] = [
    ("h1", "1 Introduction"),
    (
        "p",
        "Northwind Health asked Quillon Systems for a proposal to automate its IT service desk. "
        "Quillon has delivered similar projects for hospitals since 2012.",
    ),
    ("h1", "2 Scope of Services"),
    (
        "p",
        "Quillon will implement a ticketing workflow, a self-service knowledge base and an "
        "integration with the Northwind identity provider.",
    ),
    (
        "p",
        "We will configure up to 40 request forms and migrate the open tickets from the current "
        "tool.",
    ),
    ("bullet", "Workflow design workshops with the service desk team."),
    ("bullet", "Knowledge base set-up with 50 starter articles."),
    ("bullet", "Ongoing optimisation of the workflows as needed."),
    ("bullet", "Unlimited revisions of the portal branding."),
    ("h1", "3 Deliverables and Milestones"),
    (
        "table",
        [
            ["Milestone", "Deliverable", "Due"],
            ["M1", "Solution design document", "Within 3 weeks of kick-off"],
            ["M2", "Configured ticketing workflow in the test environment", "Week 5"],
            ["M3", "Go-live in production", "Within 6 weeks of kick-off"],
        ],
    ),
    (
        "p",
        "Quillon will deliver the production go-live within 6 weeks of kick-off, and will provide "
        "hypercare support for 30 days after go-live.",
    ),
    ("h1", "4 Assumptions"),
    ("p", "Northwind will provide API access to the identity provider before week 2."),
    ("p", "The client is responsible for approving the design within 5 working days."),
    ("p", "We assume that the current tool can export open tickets as CSV."),
    ("h1", "5 Out of Scope"),
    ("p", "Hardware procurement and network changes are not included."),
    ("p", "Training of end users beyond two sessions is out of scope."),
    ("h1", "6 Effort and Price"),
    ("p", "The effort is estimated at 120 person-days, based on the assumptions in section 4."),
    ("p", "The work is offered at a fixed price of USD 96,000."),
    ("h1", "7 Acceptance"),
    (
        "p",
        "Each milestone is accepted when the acceptance criteria in the design document are met "
        "and Northwind signs the acceptance certificate.",
    ),
]

SOW_TITLE = "Statement of Work: Data Platform Migration"

SOW: list[tuple[str, str]] = [
    ("h1", "1. Parties and Purpose"),
    (
        "p",
        "This Statement of Work is entered into by Meridian Bank (the Customer) and Corvid Data "
        "Services (the Contractor) under the Master Services Agreement dated TBD.",
    ),
    ("h1", "2. Scope"),
    (
        "p",
        "The Contractor shall migrate the Customer's data warehouse to the new cloud platform, "
        "including all necessary data transformations.",
    ),
    (
        "p",
        "The Contractor shall provide end-to-end testing and reasonable knowledge transfer to the "
        "Customer's staff.",
    ),
    (
        "p",
        "The Contractor shall use best efforts to complete the migration of the archive tables "
        "where possible.",
    ),
    ("p", "The Contractor will deliver the migration runbook by 15 March 2027."),
    ("h1", "3. Service Levels"),
    (
        "p",
        "During the stabilisation period the Contractor shall respond to severity-1 incidents "
        "within 1 hour, 24/7.",
    ),
    ("p", "The Contractor warrants that no data will be lost during the migration."),
    ("h1", "4. Customer Responsibilities"),
    ("p", "The Customer shall provide read access to the source databases and a test environment."),
    ("p", "The Customer is responsible for data quality in the source systems."),
    ("h1", "5. Exclusions"),
    ("p", "Re-engineering of reports and dashboards is excluded from this SOW."),
    ("p", "Licences for the cloud platform are not included in the price."),
    ("h1", "6. Fees and Estimate"),
    ("p", "The Contractor estimates the effort at approximately 300 person-days."),
    ("p", "The fees are fixed at EUR 240,000, payable in three instalments."),
    ("h1", "7. Acceptance"),
    (
        "p",
        "The Customer will accept each deliverable within 10 business days if it meets the "
        "acceptance criteria in Appendix A.",
    ),
    ("h1", "8. Change Control"),
    (
        "p",
        "Any change to the scope must be submitted as a written change request and approved by "
        "both parties before work starts.",
    ),
]


def build_docx(path: Path) -> None:
    """Write the proposal as a DOCX with real headings, bullets and a table."""
    import docx

    document = docx.Document()
    document.add_heading(PROPOSAL_TITLE, level=0)
    for kind, content in PROPOSAL:
        if kind == "h1":
            document.add_heading(str(content), level=1)
        elif kind == "bullet":
            document.add_paragraph(str(content), style="List Bullet")
        elif kind == "table":
            rows = content
            assert isinstance(rows, list)
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            document.add_paragraph(str(content))
    section = document.sections[0]
    section.header.paragraphs[0].text = "Quillon Systems — Confidential"
    section.footer.paragraphs[0].text = "Proposal QS-2026-114"
    document.core_properties.title = PROPOSAL_TITLE
    document.save(str(path))


def build_pdf(path: Path) -> None:
    """Write the statement of work as a two-page PDF with a running header and page numbers."""
    from fpdf import FPDF

    class SowPdf(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 8, "Corvid Data Services - SOW CDS-0427", align="R")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = SowPdf(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_title(SOW_TITLE)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, SOW_TITLE)
    pdf.ln(4)
    for number, (kind, text) in enumerate(SOW):
        if kind == "h1":
            if number == 12:
                pdf.add_page()
            pdf.set_font("Helvetica", "B", 12)
            pdf.ln(3)
            pdf.multi_cell(0, 7, text)
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text)
            pdf.ln(2)
    pdf.output(str(path))


if __name__ == "__main__":
    build_docx(HERE / "servicedesk-proposal.docx")
    build_pdf(HERE / "data-migration-sow.pdf")
    print("wrote", HERE / "servicedesk-proposal.docx", HERE / "data-migration-sow.pdf")
