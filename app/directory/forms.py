"""Forms of the owners' self-service. Rules (codes, domains, review) live in the services."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.legal_forms import LEGAL_FORMS
from app.form_fields import CommuneField, DayField, VsicField
from app.labels import OCOP_GROUP_LABELS
from app.registry import certificates

DOCUMENT_TYPES = "application/pdf,image/jpeg,image/png,image/webp"  # app/registry/documents.py reads the content

STAGES = [
    ("", _l("Not stated")),
    ("idea", _l("Idea")),
    ("prototype", _l("Prototype")),
    ("early_revenue", _l("First customers")),
    ("growth", _l("Growing")),
    ("scale", _l("Expanding")),
]


class EnterpriseForm(FlaskForm):
    """Register a new enterprise (everything goes to the department's review)."""

    legal_form = SelectField(_l("Legal form"), validators=[DataRequired()])
    code = StringField(
        _l("Enterprise code"),
        validators=[Optional(), Length(max=20)],
        description=_l("10 digits, or 13 for a branch (e.g. 0314409058-002). Household businesses leave it blank."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    personal_id = StringField(
        _l("Personal ID of the household head (12 digits)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Only for a household business. Never shown publicly."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    name = StringField(_l("Registered name"), validators=[DataRequired(_l("Enter the name.")), Length(max=300)])
    main_vsic = VsicField(
        _l("Main line of business (VSIC code)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Its code of 2 to 5 digits (1020 for seafood processing), or words of it: the list helps."),
    )
    commune_code = CommuneField(
        _l("Commune or ward"),
        validators=[DataRequired(_l("Type the commune's name."))],
        description=_l("Its name today, or as it was before 1 July 2025: the list shows what each became."),
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    representative = StringField(
        _l("Legal representative"),
        validators=[Optional(), Length(max=200)],
        description=_l("As the registration certificate names them (for a household business: its owner)."),
    )
    founded_on = DayField(_l("Date of first registration"), validators=[Optional()])
    employees = IntegerField(
        _l("Employees (yearly average with social insurance)"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
    )
    revenue_vnd = StringField(
        _l("Revenue last year (VND)"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "decimal"}
    )
    capital_vnd = StringField(
        _l("Total capital (VND)"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "decimal"}
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300)],
        description=_l("For example haidang.vn or https://haidang.vn/san-pham."),
        render_kw={"inputmode": "url"},
    )
    email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address."))])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    description = TextAreaField(_l("What the enterprise does"), validators=[Optional(), Length(max=3000)])


class EditForm(EnterpriseForm):
    """Edit a listing: legal fields go to review, the others publish at once."""

    stage = SelectField(_l("Stage (startups)"), choices=STAGES, validators=[Optional()])
    funding_sought_vnd = StringField(
        _l("Funding sought (VND, startups)"),
        validators=[Optional(), Length(max=30)],
        render_kw={"inputmode": "decimal"},
    )


class OwnerEditForm(EditForm):
    """The owner's edit: for a household business, also whether the public sees its street address."""

    is_address_public = BooleanField(
        _l("Show our street address to the public"),
        description=_l(
            "A household business often works from the family's home, so the directory, its downloads and "
            "its API show only your commune. Tick this if you want customers to see your street address too; "
            "untick it to hide it again. The department always sees the full address."
        ),
    )


class ClaimForm(FlaskForm):
    representative = StringField(
        _l("The legal representative's name"),
        validators=[DataRequired(_l("Write the name of the enterprise's legal representative.")), Length(max=200)],
        description=_l("As on the enterprise registration certificate: the department checks it against the registry."),
    )
    evidence = TextAreaField(
        _l("How are you linked to this enterprise?"),
        validators=[DataRequired(_l("Tell the department how to check your link.")), Length(max=1000)],
        description=_l("For example: I am the director; the business registration certificate names me."),
    )
    document = FileField(
        _l("A document (optional)"),
        render_kw={"accept": DOCUMENT_TYPES},
        description=_l(
            "The registration certificate, or an authorisation signed by the legal representative: a PDF, or a photo "
            "or scan (JPEG, PNG or WebP). Only you and the department see it."
        ),
    )


class LabelForm(FlaskForm):
    label = SelectField(
        _l("Label"),
        choices=[("digital_tech", _l("Digital-technology enterprise")), ("startup", _l("Innovative startup"))],
    )
    evidence = TextAreaField(
        _l("Evidence"),
        validators=[DataRequired(_l("Describe the evidence the department can check.")), Length(max=2000)],
        description=_l(
            "For example: main line of business 6201 (software), share of revenue from "
            "digital products, a certificate of a science and technology enterprise, "
            "an incubator's confirmation."
        ),
    )


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[DataRequired(_l("Enter the name.")), Length(max=300)])
    certification = SelectField(
        _l("Certification"),
        choices=[
            ("ocop", _l("OCOP")),
            ("gi", _l("Geographical indication")),
            ("collective_mark", _l("Collective mark")),
            ("certification_mark", _l("Certification mark")),
        ],
    )
    ocop_stars = SelectField(
        _l("OCOP stars"), choices=[("", "—"), ("3", "3"), ("4", "4"), ("5", "5")], validators=[Optional()]
    )
    ocop_group = SelectField(
        _l("OCOP product group"),
        choices=[("", "—"), *OCOP_GROUP_LABELS.items()],
        validators=[Optional()],
        description=_l("Required for an OCOP product."),
    )
    certifying_body = StringField(_l("Certified by"), validators=[Optional(), Length(max=300)])
    certificate_no = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    certified_on = DayField(
        _l("Certified on"),
        validators=[Optional()],
        description=_l("The date on the certificate or the decision that awarded it."),
    )
    expires_on = DayField(
        _l("Valid until"),
        validators=[Optional()],
        description=LazyString(
            lambda: gettext(
                "For a geographical indication or a mark. An OCOP certificate is valid %(months)s months from its "
                "date (the department's setting).",
                months=certificates.ocop_validity_months(),
            )
        ),
    )
    document = FileField(
        _l("The certificate (optional)"),
        render_kw={"accept": DOCUMENT_TYPES},
        description=_l(
            "A PDF, or a photo or scan (JPEG, PNG or WebP) of the certificate or decision, to help the department "
            "check it. Only the department and the people acting for the enterprise see it."
        ),
    )


class ListingCheckForm(FlaskForm):
    available = SelectField(
        _l("Is the product still sold there?"),
        choices=[("yes", _l("Yes, still selling")), ("no", _l("No, no longer sold there"))],
    )


class ListingForm(FlaskForm):
    platform_code = SelectField(_l("Platform"), validators=[DataRequired()])
    url = StringField(
        _l("Address of the product page"),
        validators=[DataRequired(_l("Enter the address.")), Length(max=500)],
        render_kw={"inputmode": "url"},
    )


class ReportForm(FlaskForm):
    message = TextAreaField(
        _l("What is wrong?"), validators=[DataRequired(_l("Describe what is wrong.")), Length(max=2000)]
    )
    contact = StringField(
        _l("Your e-mail, if we may ask you more (optional)"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address."))],
    )


class SolutionsForm(FlaskForm):
    categories = SelectMultipleField(
        _l("What you offer"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )  # unknown codes are dropped by the view


class ContactForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Enter a subject.")), Length(max=200)])
    message = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write your message.")), Length(max=3000)])


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"), validators=[DataRequired(_l("Write your reply.")), Length(max=3000)])
    reveal_email = SelectField(
        _l("Share your e-mail address?"),
        choices=[("0", _l("No, reply through the platform only")), ("1", _l("Yes, show my e-mail address"))],
    )


def fill_choices(form) -> None:
    """The choices of an enterprise form's lists, from the rules and the region's communes (shared by
    the owner's and the department's forms)."""
    if hasattr(form, "legal_form"):
        form.legal_form.choices = [(code, str(f.label)) for code, f in LEGAL_FORMS.items()]
