# zintrust-host %pre: the system user the unit runs as.
getent group zintrust >/dev/null || groupadd -r zintrust
getent passwd zintrust >/dev/null || \
    useradd -r -g zintrust -d / -s /sbin/nologin -c "zintrust-host service" zintrust
exit 0
