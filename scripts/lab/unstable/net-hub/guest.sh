# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# A guest on the candor-net switch (see scenario.sh). lab.net=ROLE,SELF,PEER,SECONDS:
# role a fetches the file, role b serves it; L1 is 10.0.2.1. Every wait ends SECONDS
# after this point at the latest, or as soon as L1's /go says "abort ..." (the other
# guest's VMM is gone): then the waiting check fails with L1's reason.
spec=$(arg net)
role=${spec%%,*}; rest=${spec#*,}; self=${rest%%,*}; rest=${rest#*,}; peer=${rest%%,*}; wait_s=${rest#*,}
host=10.0.2.1
deadline=$(($(cut -d. -f1 /proc/uptime) + wait_s))
net_up "$self"
mkdir -p /tmp/www
httpd -p 8000 -h /tmp/www
if [ "$role" = b ]; then
    # Published whole (mv), the checksum last: a fetches the checksum first, so it never
    # reads a half-written file.
    dd if=/dev/urandom of=/tmp/file bs=1024 count=1024 2>/dev/null
    sha256sum < /tmp/file | cut -d' ' -f1 > /tmp/file.sha256
    echo "L2-RESULT net-file-sent $(cat /tmp/file.sha256) $(wc -c < /tmp/file)"
    mv /tmp/file /tmp/www/file
    mv /tmp/file.sha256 /tmp/www/file.sha256
fi

in_time() { [ "$(cut -d. -f1 /proc/uptime)" -lt $deadline ]; }
# l1_says: L1's /go ("go", "abort REASON"), empty while L1 has not answered.
# busybox wget's -T option crashes, so timeout(1) bounds it.
l1_says() { timeout 5 wget -q -O - "http://$host:8000/go" 2>/dev/null; }
# gave_up: why the last wait ended without success.
gave_up="no answer within $wait_s s"

# ping_until NAME TARGET: one-second pings (the other guest may still be booting);
# every tenth failure asks L1 whether to stop.
ping_until() {
    i=0
    while in_time; do
        ping -c 1 -W 1 "$2" >/dev/null 2>&1 && { check "$1" pass "$2 answered after $i unanswered pings"; return 0; }
        i=$((i + 1))
        if [ $((i % 10)) = 0 ] && [ "$2" != "$host" ]; then
            case $(l1_says) in abort*) gave_up="L1 says: $(l1_says)"; break ;; esac
        fi
    done
    check "$1" fail "$2 did not answer ($i pings): $gave_up"
    return 1
}

# fetch URL FILE: wget, retried each second; after a failure L1 is asked whether to stop.
fetch() {
    while in_time; do
        timeout 10 wget -q -O "$2" "$1" 2>/dev/null && return 0
        case $(l1_says) in abort*) gave_up="L1 says: $(l1_says)"; return 1 ;; esac
        sleep 1
    done
    return 1
}

ping_until ping-l1 "$host"
ping_until ping-peer "$peer"
if [ "$role" = a ]; then
    if fetch "http://$peer:8000/file.sha256" /tmp/file.sha256 && fetch "http://$peer:8000/file" /tmp/file; then
        got=$(sha256sum < /tmp/file | cut -d' ' -f1)
        echo "L2-RESULT net-file-received $got $(wc -c < /tmp/file)"
        if [ "$got" = "$(cat /tmp/file.sha256)" ]; then check file-sha256 pass; else check file-sha256 fail "got $got, b published $(cat /tmp/file.sha256)"; fi
    else
        check file-sha256 fail "could not fetch the file from $peer: $gave_up"
    fi
fi
touch /tmp/www/done
# Stay on the network until L1 says everyone is done (or that the exchange is over).
answer=""
while in_time; do
    answer=$(l1_says)
    [ -n "$answer" ] && break
    sleep 1
done
case $answer in
    go) check released-by-l1 pass ;;
    "") check released-by-l1 fail "no /go from L1 within $wait_s s" ;;
    *) check released-by-l1 fail "L1 says: $answer" ;;
esac
