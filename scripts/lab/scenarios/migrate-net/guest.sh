# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
# On candor-net's switch (see scenario.sh): pings L1 five times a second while counting
# (L1 migrates the VM meanwhile), then pings it again and fetches its file.
spec=$(arg net)
self=${spec%%,*}; host=${spec#*,}
net_up "$self"
lab_check ping-before ping -c 1 -W 5 "$host"
ping -i 0.2 "$host" > /tmp/ping.log 2>&1 &
pinger=$!
count_to_console "$(arg count)"
kill $pinger
replies=$(grep -c 'bytes from' /tmp/ping.log)
if [ "$replies" -gt 0 ]; then check pings-while-counting pass "$replies replies"
else check pings-while-counting fail "no reply: $(tail -n 1 /tmp/ping.log)"; fi
lab_check ping-after ping -c 3 -W 5 "$host"
if wget -q -O /tmp/file "http://$host:8000/file" 2>/tmp/wget.err; then
    sum=$(sha256sum < /tmp/file | cut -d' ' -f1)
    if [ "$sum" = "$(arg sha)" ]; then check file-from-l1 pass "$sum"
    else check file-from-l1 fail "sha256 $sum, L1 sent $(arg sha)"; fi
else
    check file-from-l1 fail "wget: $(tail -n 1 /tmp/wget.err)"
fi
