from django import template

from portal.directory import booking_link as directory_booking_link

register = template.Library()


@register.simple_tag
def booking_link(suggestion, need, officer=None):
    return directory_booking_link(suggestion, need, officer)
