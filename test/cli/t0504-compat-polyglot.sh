#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: @os and @shell attributes, polyglot functions
# and shebang detection (attributes.rs, polyglot.rs and the RFC001/RFC002 part of
# integration_test.rs). One test per original test function, named after it; where the two
# files had different bodies under one name, both bodies are checked. Like the original, a
# case whose interpreter is not installed is skipped.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

# --- @os ----------------------------------------------------------------------------------

test_expect "test_os_attribute_unix_on_unix" '
    fresh && printf "\n# @os unix\nclean() echo \"Unix clean\"\n\n# @os windows\nclean() echo \"Windows clean\"\n" >Runfile
    run_cmd clean && expect_status 0 && has "$out" "Unix clean" && hasnt "$out" "Windows clean"
'

test_expect "test_os_attribute_windows_on_unix" '
    fresh && printf "\n# @os windows\nclean() echo \"Windows only\"\n" >Runfile
    run_cmd clean
    failed && has "$err" "Function '\''clean'\'' not found"
'

test_expect "test_os_attribute_linux" '
    fresh && printf "\n# @os linux\nbuild() echo \"Linux build\"\n\n# @os macos\nbuild() echo \"macOS build\"\n" >Runfile
    run_cmd build && expect_status 0 && expect_eq "$out" "Linux build"
'

test_expect "test_os_attribute_list_shows_platform_specific" '
    fresh && cat >Runfile <<"EOF"

# @os unix
unix_func() echo "Unix function"

# @os windows
windows_func() echo "Windows function"

no_attr_func() echo "No attribute"
EOF
    run_cmd --list && expect_status 0 && has "$out" no_attr_func && has "$out" unix_func &&
    hasnt "$out" windows_func
'

test_expect "test_attribute_comment_not_confused_with_regular_comment" '
    fresh && cat >Runfile <<"EOF"

# This is a regular comment
# @os unix
clean() echo "Unix clean"

# Another regular comment
build() echo "Regular build"
EOF
    run_cmd --list && expect_status 0 && has "$out" build && has "$out" clean
'

test_expect "test_multiple_attributes_on_same_function" '
    fresh && printf "\n# @os linux\n# @os macos\nposix_func() echo \"POSIX function\"\n" >Runfile
    run_cmd posix_func && expect_status 0 && has "$out" "POSIX function"
'

test_with python3 "test_combined_os_and_shell_attributes" '
    fresh && printf "\n# @os unix\n# @shell python\nunix_python() {\n    print(\"Unix Python function\")\n}\n" >Runfile
    run_cmd unix_python && expect_status 0 && has "$out" "Unix Python function" &&
    fresh && printf "\n# @os unix\n# @shell python\npy_unix() {\n    print(\"Python on Unix\")\n}\n" >Runfile
    run_cmd py_unix && expect_status 0 && has "$out" "Python on Unix"
'

# --- @shell -------------------------------------------------------------------------------

test_with python3 "test_shell_attribute_python" '
    fresh && cat >Runfile <<"EOF"

# @shell python
math() {
    import sys
    result = 10 + 20
    print(f"Result: {result}")
}
EOF
    run_cmd math && expect_status 0 && has "$out" "Result: 30"
'

test_with python3 "test_shell_attribute_python_with_args" '
    fresh && cat >Runfile <<"EOF"

# @shell python
calc() {
    import sys
    if len(sys.argv) > 1:
        print(f"Argument: {sys.argv[1]}")
    else:
        print("No arguments")
}

# @shell python
greet() {
    import sys
    name = sys.argv[1] if len(sys.argv) > 1 else "World"
    print(f"Hello, {name}!")
}
EOF
    run_cmd calc hello && expect_status 0 && has "$out" "Argument: hello" &&
    run_cmd greet Alice && expect_status 0 && has "$out" "Hello, Alice!"
'

test_with node "test_shell_attribute_node" '
    fresh && cat >Runfile <<"EOF"

# @shell node
server() {
    console.log("Server starting...");
    console.log("Port: 3000");
}

# @shell node
js() {
    const result = 15 + 25;
    console.log(`Result: ${result}`);
}
EOF
    run_cmd server && expect_status 0 && has "$out" "Server starting..." &&
    has "$out" "Port: 3000" &&
    run_cmd js && expect_status 0 && has "$out" "Result: 40"
'

test_with node "test_shell_attribute_node_with_args" '
    fresh && cat >Runfile <<"EOF"

# @shell node
greet() {
    const args = process.argv.slice(1);
    if (args.length > 0) {
        console.log(`Hello, ${args[0]}!`);
    } else {
        console.log("Hello, World!");
    }
}
EOF
    run_cmd greet Alice && expect_status 0 && has "$out" "Hello, Alice!"
'

test_expect "test_shell_attribute_bash_explicit" '
    fresh && printf "\n# @shell bash\ntest_func() echo \"Running in bash\"\n\n# @shell bash\nbash_func() {\n    echo \"Explicit bash\"\n}\n" >Runfile
    run_cmd test_func && expect_status 0 && has "$out" "Running in bash" &&
    run_cmd bash_func && expect_status 0 && has "$out" "Explicit bash"
'

test_with ruby "test_shell_attribute_ruby" '
    fresh && cat >Runfile <<"EOF"

# @shell ruby
hello() {
    puts "Hello from Ruby!"
    puts "Ruby version: #{RUBY_VERSION}"
}

# @shell ruby
rb() {
    result = 5 * 6
    puts "Result: #{result}"
}
EOF
    run_cmd hello && expect_status 0 && has "$out" "Hello from Ruby!" &&
    run_cmd rb && expect_status 0 && has "$out" "Result: 30"
'

test_with python3 "test_simple_function_with_shell_attribute" '
    fresh && printf "\n# @shell python\nsimple() print(\"Simple inline Python\")\n\n# @shell bash\ntest_bash() echo \"Hello from bash\"\n" >Runfile
    run_cmd simple && expect_status 0 && has "$out" "Simple inline Python" &&
    run_cmd test_bash && expect_status 0 && has "$out" "Hello from bash"
'

test_with node "test_shell_node_multiline_with_loop" '
    fresh && cat >Runfile <<"EOF"

# @shell node
counter() {
    console.log("Starting count");
    for (let i = 0; i < 3; i++) {
        console.log(`Count: ${i}`);
    }
    console.log("Done");
}

# @shell node
loop() {
    for (let i = 1; i <= 3; i++) {
        console.log(`Count: ${i}`);
    }
}
EOF
    run_cmd counter && expect_status 0 && expect_eq "$out" "Starting count
Count: 0
Count: 1
Count: 2
Done" &&
    run_cmd loop && expect_status 0 && expect_eq "$out" "Count: 1
Count: 2
Count: 3"
'

test_with python3 "test_shell_python_multiline_with_loop" '
    fresh && cat >Runfile <<"EOF"

# @shell python
counter() {
    print("Starting count")
    for i in range(3):
        print(f"Count: {i}")
    print("Done")
}

# @shell python
loop() {
    for i in range(1, 4):
        print(f"Number: {i}")
}
EOF
    run_cmd counter && expect_status 0 && expect_eq "$out" "Starting count
Count: 0
Count: 1
Count: 2
Done" &&
    run_cmd loop && expect_status 0 && expect_eq "$out" "Number: 1
Number: 2
Number: 3"
'

# --- shebangs (RFC002) --------------------------------------------------------------------

test_with python3 "test_shebang_python_basic" '
    fresh && cat >Runfile <<"EOF"

analyze() {
    #!/usr/bin/env python
    import sys
    print("Hello from Python via shebang!")
}

py() {
    #!/usr/bin/env python3
    print("Hello from Python shebang")
}
EOF
    run_cmd analyze && expect_status 0 && has "$out" "Hello from Python via shebang!" &&
    run_cmd py && expect_status 0 && has "$out" "Hello from Python shebang"
'

test_with python3 "test_shebang_python3_explicit" '
    fresh && cat >Runfile <<"EOF"

calc() {
    #!/usr/bin/env python3
    import math
    print(f"Pi is {math.pi:.2f}")
}

py3() {
    #!/usr/bin/python3
    print("Explicit python3")
}
EOF
    run_cmd calc && expect_status 0 && has "$out" "Pi is 3.14" &&
    run_cmd py3 && expect_status 0 && has "$out" "Explicit python3"
'

test_with node "test_shebang_node" '
    fresh && cat >Runfile <<"EOF"

server() {
    #!/usr/bin/env node
    console.log("Node server via shebang");
    console.log("Port: 3000");
}

node_func() {
    #!/usr/bin/env node
    console.log("Hello from Node shebang");
}
EOF
    run_cmd server && expect_status 0 && has "$out" "Node server via shebang" &&
    has "$out" "Port: 3000" &&
    run_cmd node_func && expect_status 0 && has "$out" "Hello from Node shebang"
'

test_expect "test_shebang_bash" '
    fresh && cat >Runfile <<"EOF"

setup() {
    #!/usr/bin/env bash
    echo "Setting up with bash shebang"
    echo "Configuration complete"
}
EOF
    run_cmd setup && expect_status 0 && has "$out" "Setting up with bash shebang" &&
    has "$out" "Configuration complete"
'

test_expect "test_shebang_direct_path_bash" '
    fresh && printf "\ntest_func() {\n    #!/bin/bash\n    echo \"Using direct bash path\"\n}\n" >Runfile
    run_cmd test_func && expect_status 0 && has "$out" "Using direct bash path"
'

test_expect "test_shebang_direct_path_sh" '
    fresh && printf "\nsimple() {\n    #!/bin/sh\n    echo \"Using sh\"\n}\n" >Runfile
    run_cmd simple && expect_status 0 && has "$out" "Using sh"
'

test_with python3 "test_shebang_with_args" '
    fresh && cat >Runfile <<"EOF"

process() {
    #!/usr/bin/env python
    import sys
    if len(sys.argv) > 1:
        print(f"Processing: {sys.argv[1]}")
    else:
        print("No args")
}
EOF
    run_cmd process data.json && expect_status 0 && has "$out" "Processing: data.json"
'

test_with python3 "test_shebang_precedence_attribute_wins" '
    fresh && cat >Runfile <<"EOF"

# @shell python
test_precedence() {
    #!/usr/bin/env node
    # This should execute with Python, not Node
    import sys
    print("Python wins!")
}
EOF
    run_cmd test_precedence && expect_status 0 && has "$out" "Python wins!" &&
    hasnt "$err" SyntaxError
'

test_with python3 "test_shebang_with_comment_before" '
    fresh && cat >Runfile <<"EOF"

analyze() {
    # This is a comment
    #!/usr/bin/env python
    import sys
    print("Shebang after comment")
}
EOF
    run_cmd analyze && expect_status 0 && has "$out" "Shebang after comment"
'

test_with python3 "test_shebang_multiline_code" '
    fresh && cat >Runfile <<"EOF"

counter() {
    #!/usr/bin/env python
    print("Counting")
    for i in range(3):
        print(f"Number: {i}")
    print("Done")
}
EOF
    run_cmd counter && expect_status 0 && expect_eq "$out" "Counting
Number: 0
Number: 1
Number: 2
Done"
'

test_with ruby "test_shebang_ruby" '
    fresh && cat >Runfile <<"EOF"

greet() {
    #!/usr/bin/env ruby
    puts "Hello from Ruby via shebang!"
}

ruby_func() {
    #!/usr/bin/env ruby
    puts "Hello from Ruby shebang"
}
EOF
    run_cmd greet && expect_status 0 && has "$out" "Hello from Ruby via shebang!" &&
    run_cmd ruby_func && expect_status 0 && has "$out" "Hello from Ruby shebang"
'

test_expect "test_no_shebang_uses_default_shell" '
    fresh && printf "\nsimple() {\n    echo \"No shebang, using default shell\"\n}\n\ntest() {\n    echo \"Default shell\"\n}\n" >Runfile
    run_cmd simple && expect_status 0 && has "$out" "No shebang, using default shell" &&
    run_cmd test && expect_status 0 && has "$out" "Default shell"
'

test_expect "test_shebang_not_first_line_ignored" '
    fresh && cat >Runfile <<"EOF"

broken() {
    echo "First line"
    #!/usr/bin/env python
    echo "Should use default shell, not Python"
}
EOF
    run_cmd broken && expect_status 0 && has "$out" "First line" &&
    has "$out" "Should use default shell, not Python"
'

test_done
