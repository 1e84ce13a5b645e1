"""Two-factor devices move to django-otp: each authenticator becomes a TOTP device (same key,
same last accepted time step, so no admin sets up their phone again and no used code works
again) and each admin's unused recovery codes become one static device's tokens (the same
keyed hash, cut to the 16 characters a static token holds)."""

import base64

from django.db import migrations


def to_django_otp(apps, schema_editor):
    TwoFactorDevice = apps.get_model("core", "TwoFactorDevice")
    RecoveryCode = apps.get_model("core", "RecoveryCode")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for old in TwoFactorDevice.objects.all():
        TOTPDevice.objects.create(
            user_id=old.user_id,
            name="authenticator",
            confirmed=old.confirmed_at is not None,
            key=base64.b32decode(old.secret).hex(),
            last_t=old.last_step or -1,
        )
        unused = RecoveryCode.objects.filter(device=old, used_at__isnull=True)
        if old.confirmed_at is not None:
            static = StaticDevice.objects.create(user_id=old.user_id, name="recovery codes", confirmed=True)
            StaticToken.objects.bulk_create([StaticToken(device=static, token=code.code_hash[:16]) for code in unused])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_invitation_salt"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(to_django_otp, migrations.RunPython.noop),
        migrations.DeleteModel(name="RecoveryCode"),
        migrations.DeleteModel(name="TwoFactorDevice"),
    ]
