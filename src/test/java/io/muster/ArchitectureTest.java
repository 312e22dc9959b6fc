package io.muster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.muster.common.VertxLeakFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dependency rule: domain code and the shared common package know nothing of Vert.x, JDBC,
 * the connection pool or the migrations. Run by the ArchUnit JUnit 5 engine in the normal test run.
 *
 * <p>The rules are checked from {@code @ArchTest} methods, not {@code @ArchTest} fields: surefire
 * 3.5.3 silently skips field rules (SUREFIRE-2298, TNG/ArchUnit#1442; fixed in surefire 3.5.4).
 */
@AnalyzeClasses(packages = "io.muster", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String[] INFRASTRUCTURE = {"io.vertx..", "java.sql..", "com.zaxxer..", "org.flywaydb.."};

  static final ArchRule DOMAIN_IS_PLAIN_JAVA = noClasses()
      .that().resideInAPackage("..domain..")
      .should().dependOnClassesThat().resideInAnyPackage(INFRASTRUCTURE)
      .allowEmptyShould(false) // fail, rather than pass vacuously, if the scan ever finds no domain classes
      .because("domain code is plain Java, testable without Vert.x or a database");

  static final ArchRule COMMON_IS_PLAIN_JAVA = noClasses()
      .that().resideInAPackage("io.muster.common..")
      .should().dependOnClassesThat().resideInAnyPackage(INFRASTRUCTURE)
      .allowEmptyShould(false)
      .because("common types are shared by domain code");

  @ArchTest
  void domain_packages_do_not_depend_on_vertx_jdbc_hikari_or_flyway(JavaClasses classes) {
    DOMAIN_IS_PLAIN_JAVA.check(classes);
  }

  @ArchTest
  void common_package_does_not_depend_on_vertx_jdbc_hikari_or_flyway(JavaClasses classes) {
    COMMON_IS_PLAIN_JAVA.check(classes);
  }

  // Plain JUnit tests proving the rules catch a leak; the fixtures are test classes, so the
  // architecture check above (DoNotIncludeTests) never sees them.

  @Test
  @DisplayName("a class in io.muster.common that uses Vert.x breaks the common rule")
  void commonRuleCatchesAViolation() {
    JavaClasses leaking = new ClassFileImporter().importClasses(VertxLeakFixture.class);

    assertThatThrownBy(() -> COMMON_IS_PLAIN_JAVA.check(leaking))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("VertxLeakFixture")
        .hasMessageContaining("io.vertx.core.json.JsonObject");
  }

  @Test
  @DisplayName("a class in a domain package that uses JDBC breaks the domain rule")
  void domainRuleCatchesAViolation() {
    JavaClasses leaking = new ClassFileImporter()
        .importClasses(io.muster.roster.domain.JdbcLeakFixture.class);

    assertThatThrownBy(() -> DOMAIN_IS_PLAIN_JAVA.check(leaking))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("roster.domain.JdbcLeakFixture")
        .hasMessageContaining("java.sql.Connection");
  }
}
