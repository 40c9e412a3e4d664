"""The admin's change forms as a browser sends them back."""


def _post_value(value):
    if value is None:
        return ""
    return getattr(value, "pk", value)


def change_form_data(response):
    """The admin change form of `response` (and its inlines) as the browser sends it back unchanged."""
    form = response.context["adminform"].form
    data = {name: _post_value(form[name].value()) for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for form in formset.forms:
            data.update({form.add_prefix(name): _post_value(form[name].value()) for name in form.fields})
    return data
