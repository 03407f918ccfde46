#!/bin/sh
# Counts string-key lookups on container records (Config, HostConfig, Skiff) and the monitor's
# records (monitor.json, exit.json, state.json) outside their (de)serialisers (issue 10 item 1).
# Usage: tests/record-keys.sh [-v] (prints the count; -v lists them). Heuristic, by grep:
# 1) direct: json_get/str/bool/int(X.config|host_config|extra, "Key"), X.config["Key"], .contains("Key")
# 2) monitor.json/exit.json/state.json parsed values: json_*(mon|*mon|*ex|*st, "key")
# 3) aliases bound to a record member: `Json& h = r.host_config;` etc, then h["Key"]/json_*(h, "Key")
cd "$(dirname "$0")/.."
EXCL='src/engine/record_json.cpp|src/monitor/state_records.cpp'
{
grep -rnoE 'json_(get|str|bool|int)\([a-z>.-]*\b(config|host_config|extra), *"[A-Za-z]+"' src
grep -rnoE '\b(rec|r)\.(config|host_config|extra)(\["[A-Za-z]+"\]|\.contains\("[A-Za-z]+"\))' src
grep -rnoE 'json_(get|str|bool|int)\(\*?(mon|ex|st), *"[A-Za-z]+"' src/engine src/monitor
for f in $(grep -rlE 'Json&? [a-z]+ = [a-z>.-]*(rec|r)\.(host_config|config|extra)\b' src); do
  for v in $(grep -oE 'Json&? [a-z]+ = [a-z>.-]*(rec|r)\.(host_config|config|extra)\b' $f | awk '{print $2}' | sort -u); do
    grep -noE "(\b$v\[\"[A-Za-z]+\"\]|json_(get|str|bool|int)\($v, *\"[A-Za-z]+\"|\b$v\.contains\(\"[A-Za-z]+\"\))" $f | sed "s|^|$f:|"
  done
done
} | grep -vE "^($EXCL):" | sort -u > /tmp/record-keys.$$
if [ "$1" = -v ]; then cat /tmp/record-keys.$$; fi
wc -l < /tmp/record-keys.$$
rm -f /tmp/record-keys.$$
