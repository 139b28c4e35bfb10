package gates.freeze
hold contains "frozen" if false
