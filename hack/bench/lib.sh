# Shared by the bench scripts; source it.

# write_section NAME SECTION FILE: puts SECTION, which starts with <!-- bench:NAME --> and
# ends with <!-- /bench:NAME -->, into FILE in place of the section of that name, or at
# its end when FILE has none yet.
write_section() {
	local name=$1 section=$2 file=$3
	mkdir -p "$(dirname "$file")"
	if [[ -f "$file" ]] && grep -q "<!-- bench:$name -->" "$file"; then
		python3 - "$file" "$name" "$section" <<'PY'
import re, sys
path, name, section = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
pattern = r"<!-- bench:%s -->.*?<!-- /bench:%s -->" % (re.escape(name), re.escape(name))
text = re.sub(pattern, lambda _: section, text, flags=re.S)
open(path, "w").write(text)
PY
	else
		{ [[ -f "$file" ]] || printf '# Benchmarks\n\n'; printf '\n%s\n' "$section"; } >>"$file"
	fi
}

# cpu_ticks PID...: prints the CPU time (user and system, in clock ticks) the processes
# have used so far, summed, from /proc/PID/stat.
cpu_ticks() {
	local t=0 pid
	for pid in "$@"; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
	done
	echo "$t"
}

# cpu_percent TICKS0 TICKS1 SECONDS: prints the CPU the ticks between two readings
# took, in percent of one CPU over SECONDS.
cpu_percent() {
	awk -v a="$1" -v b="$2" -v s="$3" -v hz="$(getconf CLK_TCK)" \
		'BEGIN{printf "%.1f", (b - a) / hz / s * 100}'
}

# on HOST CMD...: runs a command on the test host, bounded to two minutes.
on() {
	local host=$1
	shift
	timeout --kill-after=10 120 docker exec "$host" "$@"
}
