package io.muster.common;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Something that happened, as the journal records it: a record whose components are the event's
 * payload, named by {@link Type}. Each feature declares its events as a sealed interface of records
 * that extends this one; consumers switch on the records, never on the type names.
 */
public interface Event {

  /** The event's type name in the journal and on the live stream: dotted lowercase ({@code incident.triggered}). */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @interface Type {
    String value();
  }

  /**
   * An event that concerns every user whatever facilities they may see (the state of the SMS path):
   * the live stream shows it to all, though it names no facility.
   */
  interface Broadcast extends Event {
  }

  /** This event's type name. */
  default String type() {
    return typeOf(getClass());
  }

  /** The type name of an event class. */
  static String typeOf(Class<? extends Event> type) {
    Type name = type.getAnnotation(Type.class);
    if (name == null) {
      throw new IllegalArgumentException(type.getName() + " has no @Event.Type");
    }
    return name.value();
  }
}
