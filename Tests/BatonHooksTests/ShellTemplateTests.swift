import Testing

@testable import BatonHooks

@Suite struct ShellTemplateTests {
    static let names = Set(HookContext.placeholderNames)

    func render(_ text: String, _ values: [String: String]) -> String {
        let template = ShellTemplate(parsing: text, placeholders: Self.names)
        #expect(template.problems.isEmpty)
        return template.render(values: values)
    }

    @Test func quotesForEachContext() {
        let values = ["failedHost": "a'b$c"]
        #expect(render("echo {failedHost}", values) == #"echo 'a'\''b$c'"#)
        #expect(render("echo 'x {failedHost} y'", values) == #"echo 'x a'\''b$c y'"#)
        #expect(render(#"echo "x {failedHost} y""#, values) == #"echo "x a'b\$c y""#)
        #expect(render(#"echo "$(echo {failedHost})""#, values) == #"echo "$(echo 'a'\''b$c')""#)
        #expect(render(#"echo "$(echo "{failedHost}")""#, values) == #"echo "$(echo "a'b\$c")""#)
    }

    @Test func leavesUnknownAndValuelessPlaceholdersAndCommentsLiteral() {
        #expect(render("x {unknownThing} {successorHost}", [:]) == "x {unknownThing} {successorHost}")
        #expect(render("true # {failedHost}", ["failedHost": "h\nrm -rf /"]) == "true # {failedHost}")
        #expect(render("echo {failedHost} # it's", ["failedHost": "h"]) == "echo 'h' # it's")
    }

    @Test(arguments: [
        "echo `echo {failedHost}`", "echo ${X:-{failedHost}}", "echo $(({failedPort} + 1))", "echo $'{failedHost}'",
        "cat <<EOF\n{failedHost}\nEOF", "echo '{failedHost}", #"echo "$(echo {failedHost}"#,
    ])
    func refusesContextsItCannotQuote(_ text: String) {
        #expect(!ShellTemplate(parsing: text, placeholders: Self.names).problems.isEmpty)
    }

    @Test func hereStringIsAnOrdinaryWord() {
        #expect(render("cat <<< {failedHost}", ["failedHost": "h"]) == "cat <<< 'h'")
    }

    @Test func argvSubstitutionIsOnePass() {
        let values = ["failedHost": "{failedPort}", "failedPort": "3306"]
        #expect(PlaceholderText.substitute("{failedHost}:{failedPort}{x}", values: values) == "{failedPort}:3306{x}")
        #expect(PlaceholderText.names(in: "a {b} {c d} {e}") == ["b", "e"])
    }
}
