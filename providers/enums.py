from django.db import models


class ProviderStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    ACCREDITED = "accredited", "Accredited"
    SUSPENDED = "suspended", "Suspended"
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REFUSED = "refused", "Application refused"


# The statuses a provider may move to from each status (the application's decision moves
# an applicant to accredited or refused; the others are coordinators' decisions).
PROVIDER_STATUS_CHANGES = {
    ProviderStatus.APPLICANT: (ProviderStatus.ACCREDITED, ProviderStatus.REFUSED, ProviderStatus.WITHDRAWN),
    ProviderStatus.ACCREDITED: (ProviderStatus.SUSPENDED, ProviderStatus.LAPSED, ProviderStatus.WITHDRAWN),
    ProviderStatus.SUSPENDED: (ProviderStatus.ACCREDITED, ProviderStatus.LAPSED, ProviderStatus.WITHDRAWN),
    ProviderStatus.LAPSED: (ProviderStatus.ACCREDITED, ProviderStatus.WITHDRAWN),
    ProviderStatus.WITHDRAWN: (),
    ProviderStatus.REFUSED: (),
}
# A provider in these states may report trainings and upload records.
REPORTING_STATES = (ProviderStatus.ACCREDITED,)


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted, awaiting a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


APPLICATION_STATUS_CHANGES = {
    ApplicationStatus.SUBMITTED: (ApplicationStatus.APPROVED, ApplicationStatus.REFUSED),
    ApplicationStatus.APPROVED: (),
    ApplicationStatus.REFUSED: (),
}


class Criterion(models.IntegerChoices):
    BASED_ABROAD = 1, "Based outside the UK, training only in the licensed countries"
    QUALIFIED_TRAINER = 2, "A trainer trained, accredited and shadowed at the Centre"
    TWO_TRAINERS = 3, "Two DIT trainers within 2 years; two trainers for more than 20 participants"
    PROVIDES_DIT = 4, "Currently provides DIT treatment and supervision"
    INVOLVEMENT = 5, "Involvement in academic, research and practice settings"
    DELIVERY_PLAN = 6, "A satisfactory plan for delivering training and services"


class FeeKind(models.TextChoices):
    INITIAL_ACCREDITATION = "initial_accreditation", "Initial accreditation fee"
    FIRST_TRAINING = "first_training", "Initial 5-day training co-delivered with a Centre trainer"
    ANNUAL = "annual", "Annual accreditation fee"
    SUPERVISION_HOUR = "supervision_hour", "Supervision with an AFC trainer (per hour)"


# Fees that keep a licence for the year they are invoiced in.
LICENCE_FEE_KINDS = (FeeKind.INITIAL_ACCREDITATION, FeeKind.ANNUAL)


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PART_PAID = "part_paid", "Part paid"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"
    VOID = "void", "Void (credited)"


# Part paid and paid are set only by recording a payment (services.record_payment): part
# paid while a balance remains, paid when it reaches 0. Overdue is set by the scheduled job
# on an invoice with nothing paid after its due date; a part-paid invoice past its due date
# stays part paid and is overdue all the same (selectors.overdue_invoices).
INVOICE_STATUS_CHANGES = {
    InvoiceStatus.ISSUED: (InvoiceStatus.PART_PAID, InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID),
    InvoiceStatus.OVERDUE: (InvoiceStatus.PART_PAID, InvoiceStatus.PAID, InvoiceStatus.VOID),
    InvoiceStatus.PART_PAID: (InvoiceStatus.PAID,),
    InvoiceStatus.PAID: (),
    InvoiceStatus.VOID: (),
}
# Invoices with a balance still due.
UNPAID_STATES = (InvoiceStatus.ISSUED, InvoiceStatus.PART_PAID, InvoiceStatus.OVERDUE)


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Returned"


REVIEW_STATUS_CHANGES = {
    ReviewStatus.SUBMITTED: (ReviewStatus.APPROVED, ReviewStatus.REJECTED),
    ReviewStatus.APPROVED: (),
    ReviewStatus.REJECTED: (),
}
# Supervision records that count toward the hours while (or once) reviewed.
COUNTED_REVIEW_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


class CompleterResult(models.TextChoices):
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not completed", "Did not complete"
