from django import forms

from assessments.models import Role
from assessments.services import MAX_TIME_LIMIT_MINUTES
from catalog.selectors import challenge_list


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=50, required=False, help_text="in the URL; from the name if empty")


class MemberInviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=200, required=False)


class AssessmentForm(forms.Form):
    """The builder: a title, instructions, a time limit, a device class, and a weight per chosen
    challenge (`weight_<slug>`; empty or 0 leaves it out)."""

    title = forms.CharField(max_length=200)
    instructions_md = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Instructions (Markdown)")
    time_limit_minutes = forms.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT_MINUTES, initial=90)
    device_class = forms.CharField(max_length=20, initial="cpu")
    invitation_days = forms.IntegerField(min_value=1, max_value=90, initial=7)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenges = list(challenge_list())
        for challenge in self.challenges:
            self.fields[f"weight_{challenge.slug}"] = forms.FloatField(required=False, min_value=0, max_value=100,
                                                                       label=f"{challenge.title} ({challenge.kind})")

    def weight_fields(self):
        return [(c, self[f"weight_{c.slug}"]) for c in self.challenges]

    def items(self):
        return [(c, self.cleaned_data[f"weight_{c.slug}"]) for c in self.challenges if self.cleaned_data.get(f"weight_{c.slug}")]


class OverrideForm(forms.Form):
    points = forms.FloatField()
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
