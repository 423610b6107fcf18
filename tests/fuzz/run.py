"""Runs one libFuzzer target for a while from its seed corpus (ctest fuzz_*).

    python3 run.py BINARY SECONDS WORK_DIR

The corpus starts from seeds.py's seeds and grows in WORK_DIR/corpus between
runs; a crash, leak, sanitizer report or timeout leaves its input in
WORK_DIR/artifacts and fails the test. Prints the number of executions, the
figure the issue asks to report.
"""

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    binary, seconds, work = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    name = binary.name
    corpus, artifacts = work / "corpus", work / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(HERE / "seeds.py"), name.removeprefix("fuzz_"),
                    str(corpus)], check=True)
    cmd = [str(binary), f"-max_total_time={seconds}", "-print_final_stats=1", "-timeout=10",
           "-rss_limit_mb=2048", "-max_len=65536", f"-artifact_prefix={artifacts}/",
           str(corpus)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", p.stderr)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-6000:])
        sys.exit(f"{name}: FAILED (exit {p.returncode}); inputs in {artifacts}")
    count = int(execs.group(1)) if execs else 0
    print(f"{name}: {count:,} executions in {seconds} s, corpus "
          f"{sum(1 for _ in corpus.iterdir())} inputs, no finding")


if __name__ == "__main__":
    main()
