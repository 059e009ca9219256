import BatonMySQL
import Testing

@Suite struct ProbeRowTests {
    let row = ProbeRow(
        columns: ["Slave_IO_State", "Master_Host", "Slave_IO_Running", "Last_IO_Error", "MASTER_HOST", "x@y"],
        values: ["Waiting", "db1", "Yes", nil, "other", "at"])

    @Test(arguments: [
        ("Master_Host", "db1"), ("master_host", "db1"), ("MASTER_HOST", "db1"), ("slave_io_running", "Yes"),
        ("X@Y", "at"),
    ])
    func columnsAreFoundInAnyCaseFirstMatchFirst(name: String, value: String) {
        #expect(row[name] == value)
    }

    @Test(arguments: ["Master_Hos", "Master_Hostt", "Master-Host", "x`y", "", "Mäster_Host"])
    func otherNamesAreNotFound(name: String) {
        #expect(row[name] == nil)
    }

    @Test func nullAndMissingValuesAreNil() {
        #expect(row["Last_IO_Error"] == nil)
        #expect(ProbeRow(columns: ["A", "B"], values: ["1"])["b"] == nil)
        #expect(row.first("Source_Host", "Master_Host") == "db1")
    }
}
