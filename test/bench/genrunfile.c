/*
 * genrunfile: write a synthetic Runfile of N functions to stdout, for `make bench`.
 *
 *   genrunfile N
 *
 * The output is deterministic (same N, same bytes) and mixes every form a real Runfile uses,
 * in proportions close to hand-written files: inline and block bodies, typed signatures with
 * defaults, `@desc`/`@arg` comment blocks (about 70% of functions are described, so they are
 * MCP tools), legacy `@arg`-only parameters, the `function` keyword, Allman braces,
 * namespaces (`ns7:db:migrate`), bodies that call siblings, heredocs, and a few polyglot
 * functions (python, node). Names are emitted in a scrambled order so that `--list` really
 * has to sort.
 *
 * Three fixed functions used by the benchmarks are always present (they count towards N):
 * `hi` (echo hi), `nap` (sleep 0.5) and `bigout` (cat big.txt, a file run.sh creates next to
 * the Runfile). The exact bodies are repeated by run.sh for the floor MCP server.
 */
#include <stdio.h>
#include <stdlib.h>

/* A bijective scramble of 0..n-1 (i -> i * m + 13 mod n with m coprime with n, near n times
 * the golden ratio), so the names do not come in sorted order. */
static unsigned long scramble(unsigned long i, unsigned long n)
{
    unsigned long m = (unsigned long)((double)n * 0.6180339887) | 1;

    for (;; m++) {
        unsigned long a = n, b = m;
        while (b) {
            unsigned long t = a % b;
            a = b;
            b = t;
        }
        if (a == 1)
            break;
    }
    return (i * m + 13) % n;
}

static void emit(unsigned long i, unsigned long n)
{
    unsigned long k = scramble(i, n); /* the number in the name */
    unsigned long ns = k % 37;

    /* The three fixed benchmark functions sit in the middle of the file. */
    if (n >= 3 && i == n / 2) {
        printf("# @desc Say hi\nhi() echo hi\n\n");
        return;
    }
    if (n >= 3 && i == n / 2 + 1) {
        printf("# @desc Sleep half a second\nnap() sleep 0.5\n\n");
        return;
    }
    if (n >= 3 && i == n / 2 + 2) {
        printf("# @desc Print the 100 MiB file big.txt\nbigout() cat big.txt\n\n");
        return;
    }

    if (k % 50 == 7) {
        printf("# @desc Summarise report %lu\n"
               "# @arg days How many days to cover\n"
               "# @shell python\n"
               "report%lu(days: int = 7, fmt = \"text\") {\n"
               "    import datetime\n"
               "    data = {\"days\": days, \"fmt\": fmt}  # braces {} in a comment\n"
               "    print(\"report\", data, datetime.date.today())\n"
               "}\n\n",
               k, k);
        return;
    }
    if (k % 50 == 17) {
        printf("# @desc Count to %lu in node\n"
               "# @shell node\n"
               "count%lu(limit: int = 3) {\n"
               "    const xs = [];\n"
               "    for (let i = 0; i < limit; i++) { xs.push(`n=${i}`); }\n"
               "    console.log(xs.join(\",\")); // done\n"
               "}\n\n",
               k, k);
        return;
    }

    switch (k % 10) {
    case 0:
        printf("# @desc Build component %lu\n"
               "build-%lu() echo \"building %lu\" && true\n\n",
               k, k, k);
        break;
    case 1:
        printf("# @desc Deploy service %lu to an environment\n"
               "# @arg env Target environment (staging or prod)\n"
               "# @arg replicas How many replicas to start\n"
               "deploy_%lu(env, replicas: int = 2, dry_run: bool = false, ...flags) "
               "echo \"deploying %lu to $env x$replicas\" \"$@\"\n\n",
               k, k, k);
        break;
    case 2:
        printf("# Ordinary comments may sit between attributes.\n"
               "# @desc Run task %lu with a level\n"
               "# @arg target Where to run it\n"
               "task%lu(target, level: float = 1.5, mode = \"fast, safe (default)\") {\n"
               "    echo \"task %lu on $target\"\n"
               "    if [ \"$level\" != 0 ]; then\n"
               "        printf '%%s\\n' \"$mode\" # it's fine: a comment\n"
               "    fi\n"
               "}\n\n",
               k, k, k);
        break;
    case 3:
        printf("# @desc Migrate database %lu\n"
               "ns%lu:db:migrate%lu(steps: integer = 1) {\n"
               "    for s in $(seq 1 \"$steps\"); do\n"
               "        echo \"step ${s} of ${#steps}\"\n"
               "    done\n"
               "}\n\n",
               k, ns, k);
        break;
    case 4:
        printf("# @desc Greet someone (legacy arguments %lu)\n"
               "# @arg 1:name Name to greet\n"
               "# @arg count? int How many times\n"
               "greet%lu() {\n"
               "    echo \"hello $1 ${2:-1}\"\n"
               "}\n\n",
               k, k);
        break;
    case 5:
        printf("function helper%lu(path = \"/tmp\", verbose: boolean = no)\n"
               "{\n"
               "    [ \"$verbose\" = true ] && { echo \"in $path\"; }\n"
               "    ls \"$path\" >/dev/null\n"
               "}\n\n",
               k);
        break;
    case 6:
        printf("# @desc Step %lu: build then report\n"
               "step%lu() {\n"
               "    build-%lu\n"
               "    cat <<EOF\n"
               "done with } and { and 'quotes'\n"
               "EOF\n"
               "}\n\n",
               k, k, k - k % 10);
        break;
    case 7:
        printf("# @desc Show logs of service %lu\n"
               "docker:svc%lu:logs(lines: int = 100) docker compose logs -n \"$lines\" svc%lu\n\n",
               k, k, k);
        break;
    case 8:
        printf("# @desc Clean the cache of %lu\n"
               "# @arg what What to clean\n"
               "clean%lu(what = 'all') rm -rf \"./cache/$what\" 2>&1 || true\n\n",
               k, k);
        break;
    default:
        printf("lint%lu() shellcheck scripts/*.sh\n\n", k);
        break;
    }
}

int main(int argc, char **argv)
{
    char *end;
    unsigned long n;

    if (argc != 2 || (n = strtoul(argv[1], &end, 10)) == 0 || *end) {
        fprintf(stderr, "usage: genrunfile N\n");
        return 2;
    }
    printf("# Generated by test/bench/genrunfile %lu: a synthetic Runfile for benchmarks.\n"
           "# @instructions Benchmark Runfile; nothing here does anything useful.\n"
           "PROJECT=bench\n\n",
           n);
    for (unsigned long i = 0; i < n; i++)
        emit(i, n);
    return fflush(stdout) == 0 ? 0 : 1;
}
