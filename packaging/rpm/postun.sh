# zintrust-host %postun: reload systemd; on upgrade ($1 >= 1), restart a running service.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart zintrust-host.service >/dev/null 2>&1 || :
    fi
fi
# Erase ($1 = 0): the user's folders go only when empty, and /etc/zintrust with them when
# nothing else (an .rpmsave of an edited env file) is left in it.
if [ "$1" -eq 0 ]; then
    rmdir /etc/zintrust/services.d /usr/local/lib/zintrust/plugins /usr/local/lib/zintrust 2>/dev/null || :
    rmdir /etc/zintrust 2>/dev/null || :
fi
exit 0
