#[test]
fn doubles_from_outside() {
    assert_eq!(libtest_crate::double(5), 10);
}
