package io.muster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.muster.common.VertxLeakFixture;
import io.muster.fixture.cycle.a.CycleA;
import io.muster.fixture.cycle.b.CycleB;
import io.muster.incident.AppLeakFixture;
import io.muster.playbook.AdapterLeakFixture;
import io.muster.sim.SimLeakFixture;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The structure, as rules the normal test run checks: no package cycles; no feature depends on
 * app; a feature uses another only through that feature's {@code domain} and {@code port}
 * packages, never its adapters; domain code and common know nothing of Vert.x or JDBC; the
 * simulator knows nothing of Muster but its common types. Each rule has a fixture (a test class the
 * real check never sees) that proves it fails when broken.
 *
 * <p>The rules are checked from {@code @ArchTest} methods, not {@code @ArchTest} fields: surefire
 * 3.5.3 silently skips field rules (SUREFIRE-2298, TNG/ArchUnit#1442; fixed in surefire 3.5.4).
 */
@AnalyzeClasses(packages = "io.muster", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String[] INFRASTRUCTURE = {"io.vertx..", "java.sql..", "com.zaxxer..", "org.flywaydb.."};
  /** The business features; the rest (app, store, bus, web, security, live, common, sim) is infrastructure. */
  static final List<String> FEATURES = List.of("incident", "playbook", "notify", "readiness", "roster", "interop");
  private static final Pattern FEATURE_PACKAGE = Pattern.compile("io\\.muster\\.([a-z]+)(\\.([a-z]+))?.*");

  static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.muster.(**)").should().beFreeOfCycles()
      .because("features meet through ports and the journal, never in a loop");

  static final ArchRule FEATURES_DO_NOT_DEPEND_ON_APP = noClasses()
      .that().resideInAnyPackage(FEATURES.stream().map(f -> "io.muster." + f + "..").toArray(String[]::new))
      .should().dependOnClassesThat().resideInAPackage("io.muster.app..")
      .allowEmptyShould(false)
      .because("app wires the features; they do not know it");

  static final ArchRule FEATURES_USE_ONLY_PORTS_AND_DOMAIN_OF_OTHERS = classes()
      .that().resideInAnyPackage(FEATURES.stream().map(f -> "io.muster." + f + "..").toArray(String[]::new))
      .should(new com.tngtech.archunit.lang.ArchCondition<JavaClass>("use another feature only through its domain"
          + " and port packages") {
        @Override
        public void check(JavaClass item, com.tngtech.archunit.lang.ConditionEvents events) {
          String own = feature(item.getPackageName());
          item.getDirectDependenciesFromSelf().forEach(d -> {
            JavaClass target = d.getTargetClass();
            if (otherFeaturesAdapter(own).test(target)) {
              events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(d, d.getDescription()));
            }
          });
        }
      })
      .because("a feature's adapters (verticles, SQL, services) are its own; others see its ports and domain");

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

  static final ArchRule SIMULATOR_KNOWS_NOTHING_OF_MUSTER = noClasses()
      .that().resideInAPackage("io.muster.sim..")
      .should().dependOnClassesThat(DescribedPredicate.describe("are Muster's but for common",
          (JavaClass c) -> c.getPackageName().startsWith("io.muster.") && !c.getPackageName().startsWith("io.muster.sim")
              && !c.getPackageName().startsWith("io.muster.common")))
      .allowEmptyShould(false)
      .because("the simulator stands in for Twilio: a product of its own");

  @ArchTest
  void there_are_no_package_cycles(JavaClasses classes) {
    NO_PACKAGE_CYCLES.check(classes);
  }

  @ArchTest
  void features_do_not_depend_on_app(JavaClasses classes) {
    FEATURES_DO_NOT_DEPEND_ON_APP.check(classes);
  }

  @ArchTest
  void features_use_only_the_ports_and_domain_of_other_features(JavaClasses classes) {
    FEATURES_USE_ONLY_PORTS_AND_DOMAIN_OF_OTHERS.check(classes);
  }

  @ArchTest
  void domain_packages_do_not_depend_on_vertx_jdbc_hikari_or_flyway(JavaClasses classes) {
    DOMAIN_IS_PLAIN_JAVA.check(classes);
  }

  @ArchTest
  void common_package_does_not_depend_on_vertx_jdbc_hikari_or_flyway(JavaClasses classes) {
    COMMON_IS_PLAIN_JAVA.check(classes);
  }

  @ArchTest
  void the_simulator_knows_nothing_of_muster(JavaClasses classes) {
    SIMULATOR_KNOWS_NOTHING_OF_MUSTER.check(classes);
  }

  /** The feature a package belongs to, or null for infrastructure. */
  private static String feature(String packageName) {
    Matcher m = FEATURE_PACKAGE.matcher(packageName);
    return m.matches() && FEATURES.contains(m.group(1)) ? m.group(1) : null;
  }

  /** A class of another feature than {@code own} that is neither in its domain nor its port package. */
  private static DescribedPredicate<JavaClass> otherFeaturesAdapter(String own) {
    return DescribedPredicate.describe("another feature's adapter", c -> {
      Matcher m = FEATURE_PACKAGE.matcher(c.getPackageName());
      if (!m.matches() || !FEATURES.contains(m.group(1)) || m.group(1).equals(own)) {
        return false;
      }
      return !"domain".equals(m.group(3)) && !"port".equals(m.group(3));
    });
  }

  // Plain JUnit tests proving each rule catches a breach; the fixtures are test classes, so the
  // architecture checks above (DoNotIncludeTests) never see them.

  @Test
  @DisplayName("two packages that use each other break the cycle rule")
  void cycleRuleCatchesAViolation() {
    JavaClasses cycle = new ClassFileImporter().importClasses(CycleA.class, CycleB.class);
    assertThatThrownBy(() -> NO_PACKAGE_CYCLES.check(cycle)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("Cycle detected").hasMessageContaining("fixture.cycle");
  }

  @Test
  @DisplayName("a feature class that uses app breaks the app rule")
  void appRuleCatchesAViolation() {
    JavaClasses leaking = new ClassFileImporter().importClasses(AppLeakFixture.class);
    assertThatThrownBy(() -> FEATURES_DO_NOT_DEPEND_ON_APP.check(leaking)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("AppLeakFixture").hasMessageContaining("io.muster.app.MusterConfig");
  }

  @Test
  @DisplayName("a feature class that uses another feature's adapter breaks the ports-and-domain rule")
  void adapterRuleCatchesAViolation() {
    JavaClasses leaking = new ClassFileImporter().importClasses(AdapterLeakFixture.class);
    assertThatThrownBy(() -> FEATURES_USE_ONLY_PORTS_AND_DOMAIN_OF_OTHERS.check(leaking))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("AdapterLeakFixture").hasMessageContaining("io.muster.notify.NotificationSql");
  }

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

  @Test
  @DisplayName("a simulator class that uses a Muster feature breaks the simulator rule")
  void simulatorRuleCatchesAViolation() {
    JavaClasses leaking = new ClassFileImporter().importClasses(SimLeakFixture.class);
    assertThatThrownBy(() -> SIMULATOR_KNOWS_NOTHING_OF_MUSTER.check(leaking)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("SimLeakFixture").hasMessageContaining("io.muster.notify.Inbox");
  }
}
