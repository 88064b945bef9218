from django import forms


class OverrideForm(forms.Form):
    points = forms.FloatField()
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
