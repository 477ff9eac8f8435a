# zintrust-host %post: make systemd see the unit (enable it after setting the secrets in
# /etc/zintrust/zintrust.env: systemctl enable --now zintrust-host).
# The user's own plugins and services (first in the default ZT_PLUGIN_DIR/ZT_SERVICES_DIR): made
# here, not shipped, so the user's files are never the package's.
mkdir -p /etc/zintrust/services.d
mkdir -p /usr/local/lib/zintrust/plugins 2>/dev/null || :  # /usr/local may be read-only
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
