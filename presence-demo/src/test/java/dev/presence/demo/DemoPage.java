package dev.presence.demo;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** What the browser tests read and do on the demo page. Stateless. */
final class DemoPage {
  static final Duration PATIENCE = Duration.ofSeconds(20);

  private DemoPage() {}

  static void logIn(WebDriver driver, String user) {
    driver.findElement(By.id("login-user")).sendKeys(user);
    driver.findElement(By.id("login-button")).click();
    await().atMost(PATIENCE).until(() -> driver.findElement(By.id("whoami")).getText()
        .equals("Logged in as " + user));
  }

  static String member(String user) {
    return ".thread .member[data-user-id='" + user + "']";
  }

  /** Returns the member's data-online ("true"/"false"), or null while it is not rendered. */
  static String memberState(WebDriver driver, String user) {
    List<WebElement> found = driver.findElements(By.cssSelector(member(user)));
    return found.isEmpty() ? null : found.get(0).getAttribute("data-online");
  }

  /** Returns the member's data-status (available, busy, away, offline; invisible for oneself), or null. */
  static String memberStatus(WebDriver driver, String user) {
    List<WebElement> found = driver.findElements(By.cssSelector(member(user)));
    return found.isEmpty() ? null : found.get(0).getAttribute("data-status");
  }

  /** The text of one part of a member's row: "status-text", "seen" or "state". */
  static String memberText(WebDriver driver, String user, String part) {
    List<WebElement> found = driver.findElements(By.cssSelector(member(user) + " ." + part));
    return found.isEmpty() ? null : found.get(0).getText();
  }

  static String dotClass(WebDriver driver, String user) {
    return driver.findElement(By.cssSelector(member(user) + " .dot")).getAttribute("class");
  }

  /** The connection badge: "live" or "offline". */
  static String connection(WebDriver driver) {
    return driver.findElement(By.id("connection")).getText();
  }

  /** Whether the page shows its dots as possibly out of date (socket down, no resync yet). */
  static boolean stale(WebDriver driver) {
    return driver.findElement(By.id("threads")).getAttribute("class").contains("stale");
  }
}
